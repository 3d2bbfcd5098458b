{#- The attestation status of every workplace over time, as known on as_of (docs/law_and_models.md §10,
    "Status timeline"). One row per workplace and period [period_start, period_end) — NULL
    = open-ended — the periods of a workplace cover every day exactly once:
    - before its first act (or forever, if never attested): not_attested;
    - an act's own period, from its order date until the next act or its expiry
      (order_date + validity_years, the attestation_validity in force on as_of), whichever
      comes first: confirmed_harmful (class >= 3.1) or confirmed_acceptable;
    - after an act expired, until the next act: not_attested.
    Only acts ordered on or before as_of are known, so a day after as_of keeps them (an act
    expiring later in the year turns the status to not_attested then). A workplace not
    subject to attestation is not_attested throughout. Of two acts of one day the higher
    attestation_id stands. int_conditions__attestation_status is the period holding as_of;
    the guarantee layer counts the days of a year on which the List applied from these
    periods. -#}
with workplaces as (
    select workplace_id, bin, coalesce(subject_to_attestation, true) as subject_to_attestation
    from {{ ref('stg_hr__workplaces') }}
),

validity as (
    -- none in force: acts never expire here, they are flagged instead (not_attested_reason)
    select max(validity_years) as validity_years
    from {{ in_force(ref('attestation_validity')) }}
),

acts as (
    select *
    from {{ ref('int_conditions__workplace_classes') }}
    where order_date <= {{ as_of_date() }}
    qualify row_number() over (partition by workplace_id, order_date order by attestation_id desc) = 1
),

sequenced as (
    select
        a.*,
        lead(a.order_date) over (partition by a.workplace_id order by a.order_date) as next_order_date,
        cast(a.order_date + to_years(v.validity_years) as date) as expires_on
    from acts as a
    cross join validity as v
),

periods as (
    -- before the first act (the whole line for a workplace never attested)
    select w.workplace_id, cast(null as date) as period_start, min(s.order_date) as period_end,
           'before_first_act' as period_kind, cast(null as varchar) as attestation_id, cast(null as date) as order_date
    from workplaces as w
    left join sequenced as s on s.workplace_id = w.workplace_id
    group by w.workplace_id
    union all
    -- the act's own period
    select workplace_id, order_date,
           case when expires_on is null then next_order_date
                when next_order_date is null then expires_on
                else least(expires_on, next_order_date) end,
           'act', attestation_id, order_date
    from sequenced
    union all
    -- expired, until the next act
    select workplace_id, expires_on, next_order_date, 'expired', attestation_id, order_date
    from sequenced
    where expires_on is not null and (next_order_date is null or expires_on < next_order_date)
)

select
    w.workplace_id,
    w.bin,
    w.subject_to_attestation,
    p.period_start,
    p.period_end,
    case
        when not w.subject_to_attestation or p.period_kind <> 'act' then 'not_attested'
        when s.expires_on is null then 'not_attested'
        when s.class_rank is null then 'not_attested'
        when s.is_harmful then 'confirmed_harmful'
        else 'confirmed_acceptable'
    end as attestation_status,
    case
        when not w.subject_to_attestation then 'not subject to attestation'
        when p.period_kind = 'before_first_act' and p.period_end is null then 'no attestation act on or before as_of'
        when p.period_kind = 'before_first_act' then 'no attestation act before ' || cast(p.period_end as varchar)
        when p.period_kind = 'expired' then 'attestation expired after ' || cast(s.expires_on - interval 1 day as date)
        when s.expires_on is null then 'no attestation validity rule in force on as_of'
        when s.class_rank is null then 'attestation act without a class'
    end as not_attested_reason,
    p.period_kind = 'act' and s.expires_on is not null as attestation_valid,
    s.attestation_id,
    s.order_no as attestation_order_no,
    s.order_date as attestation_order_date,
    cast(s.expires_on - interval 1 day as date) as attestation_valid_until,
    s.workplace_class,
    s.class_rank,
    s.is_harmful,
    s.escalation_rules,
    s.harmful_factors,
    s.class_disagreements,
    s.disagreement_factors,
    {{ as_of_date() }} as as_of
from periods as p
inner join workplaces as w
    on w.workplace_id = p.workplace_id
left join sequenced as s
    on s.workplace_id = p.workplace_id
    and s.attestation_id = p.attestation_id
    and s.order_date = p.order_date
where p.period_start is null or p.period_end is null or p.period_start < p.period_end
