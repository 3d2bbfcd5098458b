with facts as (
    select *
    from {{ ref('int_guarantees__contract_facts') }}
    where list_entry_code is not null and leave_days > 0 and days_covered_in_year > 0
),

periods as (
    select
        worker_key,
        workplace_id,
        coalesce(sum(days) filter (where list_applies), 0) as list_days,
        string_agg(period_label, ', ' order by segment_start) filter (where list_applies) as applied_periods,
        string_agg(period_label, ', ' order by segment_start) filter (where not list_applies) as other_periods
    from {{ ref('int_guarantees__list_days') }}
    group by worker_key, workplace_id
),

per_workplace as (
    select
        worker_key,
        bin,
        workplace_id,
        any_value(list_entry_code) as list_entry_code,
        any_value(list_section) as list_section,
        any_value(leave_days) as leave_days,
        any_value(days_in_year) as days_in_year,
        any_value(year_start) as year_start,
        any_value(attestation_status) as attestation_status,
        any_value(attestation_id) as attestation_id,
        any_value(attestation_order_date) as attestation_order_date,
        any_value(workplace_class) as workplace_class,
        string_agg(contract_id, ', ' order by contract_id) as contract_ids,
        any_value(as_of) as as_of
    from facts
    group by worker_key, bin, workplace_id
),

counted as (
    select
        p.*,
        d.list_days as days_covered,
        d.applied_periods,
        d.other_periods
    from per_workplace as p
    inner join periods as d
        on d.worker_key = p.worker_key
        and d.workplace_id = p.workplace_id
)

{#- the days rounded half up: leave_days × days_covered / days_in_year in integers -#}
{% set volume = '(2 * p.leave_days * p.days_covered + p.days_in_year) // (2 * p.days_in_year)' %}
{% set evidence -%}
    'List entry ' || p.list_entry_code || ' (' || p.list_section || '): ' || p.leave_days
        || ' days x ' || p.days_covered || '/' || p.days_in_year || ' days of ' || year(p.year_start)
        || ' on which the List applied (' || p.applied_periods || ')'
        || ' under contract(s) ' || p.contract_ids
        || coalesce('; List not applied: ' || p.other_periods, '')
        || '; attestation on as_of ' || p.attestation_status
        || coalesce(' (act ' || p.attestation_id || ' of ' || p.attestation_order_date || ', class ' || p.workplace_class || ')', '')
{%- endset %}
select {{ owed_columns(volume=volume, evidence=evidence, w='p') }}
from counted as p
cross join {{ guarantee_rule(['additional_leave']) }} as r
where {{ volume }} > 0
