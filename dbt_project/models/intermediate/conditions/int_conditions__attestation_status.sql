{#- Attestation status of every workplace as of var('as_of') (domain.md §3, §4 decisions):
    the workplace's latest act with order_date <= as_of; valid while
    as_of < order_date + validity_years, i.e. attestation_valid_until (the last valid day,
    inclusive) = order_date + validity_years - 1 day (attestation_validity in force on as_of).
    confirmed_harmful = valid and class >= 3.1; confirmed_acceptable = valid and class <= 2;
    not_attested = no valid act, or the workplace is not subject to attestation.
    workplace_class is the class of that latest act even when it has expired
    (attestation_valid says whether it counts). -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with workplaces as (
    select * from {{ ref('stg_hr__workplaces') }}
),

validity as (
    select validity_years
    from {{ ref('attestation_validity') }}
    where {{ as_of }} >= valid_from
      and (valid_to is null or {{ as_of }} < valid_to)
    order by valid_from desc
    limit 1
),

latest_act as (
    select *
    from {{ ref('int_conditions__workplace_classes') }}
    where order_date <= {{ as_of }}
    qualify row_number() over (
        partition by workplace_id order by order_date desc, attestation_id desc
    ) = 1
),

joined as (
    select
        w.workplace_id,
        w.bin,
        w.profession,
        w.list_entry,
        coalesce(w.subject_to_attestation, true) as subject_to_attestation,
        a.attestation_id,
        a.order_no as attestation_order_no,
        a.order_date as attestation_order_date,
        cast(a.order_date + to_years((select validity_years from validity)) - interval 1 day as date) as attestation_valid_until,
        a.workplace_class,
        a.class_rank,
        a.is_harmful,
        a.escalation_rules,
        a.harmful_factors,
        a.class_disagreements,
        a.disagreement_factors
    from workplaces as w
    left join latest_act as a
        on a.workplace_id = w.workplace_id
)

select
    *,
    coalesce({{ as_of }} <= attestation_valid_until, false) as attestation_valid,
    case
        when not subject_to_attestation then 'not_attested'
        when attestation_id is null then 'not_attested'
        when not coalesce({{ as_of }} <= attestation_valid_until, false) then 'not_attested'
        when class_rank is null then 'not_attested'
        when is_harmful then 'confirmed_harmful'
        else 'confirmed_acceptable'
    end as attestation_status,
    case
        when not subject_to_attestation then 'not subject to attestation'
        when attestation_id is null then 'no attestation act on or before as_of'
        when not coalesce({{ as_of }} <= attestation_valid_until, false) then 'attestation expired after ' || cast(attestation_valid_until as varchar)
        when class_rank is null then 'attestation act without a class'
    end as not_attested_reason,
    {{ as_of }} as as_of
from joined
