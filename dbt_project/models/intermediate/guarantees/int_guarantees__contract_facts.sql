{%- set as_of = as_of_date() %}
with contracts as (
    select * from {{ ref('stg_hr__employees') }}
),

year_bounds as (
    select
        cast(date_trunc('year', {{ as_of }}) as date) as year_start,
        cast(date_trunc('year', {{ as_of }}) + interval 1 year - interval 1 day as date) as year_end
),

applicability as (
    select * from {{ in_force(ref('list_applicability')) }}
),

base as (
    select
        c.contract_id,
        c.worker_key,
        c.bin,
        c.workplace_id,
        c.start_date,
        c.end_date,
        c.monthly_income,
        y.year_start,
        y.year_end,
        cast(datediff('day', y.year_start, y.year_end) + 1 as integer) as days_in_year,
        greatest(
            datediff('day', greatest(c.start_date, y.year_start), least(coalesce(c.end_date, y.year_end), y.year_end)) + 1,
            0
        ) as days_covered_in_year,
        c.start_date <= {{ as_of }} and (c.end_date is null or c.end_date >= {{ as_of }}) as active_on_as_of
    from contracts as c
    cross join year_bounds as y
)

select
    b.*,
    s.attestation_status,
    s.not_attested_reason,
    s.attestation_id,
    s.attestation_order_no,
    s.attestation_order_date,
    s.attestation_valid_until,
    s.workplace_class,
    s.class_rank,
    s.harmful_factors,
    r.resolution as list_resolution,
    r.list_entry_code,
    r.list_section,
    r.leave_days,
    r.short_week_hours,
    r.pay_increase,
    r.nutrition,
    r.lpp_ration,
    r.oppv,
    r.via_common_section,
    coalesce(a.list_applies, false) and r.list_entry_code is not null as list_applies,
    coalesce(a.attestation_guarantees, false) as attestation_guarantees,
    coalesce(e.status = 'liquidated', false) as enterprise_liquidated,
    {{ as_of }} as as_of
from base as b
left join {{ ref('int_conditions__attestation_status') }} as s
    on s.workplace_id = b.workplace_id
left join {{ ref('int_guarantees__list_resolution') }} as r
    on r.workplace_id = b.workplace_id
left join applicability as a
    on a.attestation_status = s.attestation_status
left join {{ ref('stg_registry__enterprises') }} as e
    on e.bin = b.bin
where b.days_covered_in_year > 0 or b.active_on_as_of
