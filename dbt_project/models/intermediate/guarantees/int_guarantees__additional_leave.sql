{#- Additional paid leave (Labour Code art. 89 p.1; order 1053; domain.md §4 decisions):
    for every contract overlapping the calendar year of as_of on a workplace where the List
    applies, List days x (days of that year covered) / (days in the year), rounded half up to
    whole days, one row per worker and workplace (a worker who moved has two rows; several
    contracts at one workplace are added, capped at the whole year). A contract that ended
    before the year owes nothing. Zero-day results are not assignments. -#}
with facts as (
    select * from {{ ref('int_guarantees__contract_facts') }}
    where list_applies and leave_days > 0 and days_covered_in_year > 0
),

rule as (
    select * from {{ ref('guarantee_rules') }}
    where guarantee = 'additional_leave'
      and cast('{{ var("as_of") }}' as date) >= valid_from
      and (valid_to is null or cast('{{ var("as_of") }}' as date) < valid_to)
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
        least(sum(days_covered_in_year), any_value(days_in_year)) as days_covered,
        any_value(year_start) as year_start,
        any_value(attestation_status) as attestation_status,
        any_value(attestation_id) as attestation_id,
        any_value(attestation_order_date) as attestation_order_date,
        any_value(workplace_class) as workplace_class,
        string_agg(contract_id, ', ' order by contract_id) as contract_ids,
        any_value(as_of) as as_of
    from facts
    group by worker_key, bin, workplace_id
)

select
    p.worker_key,
    p.bin,
    p.workplace_id,
    r.guarantee,
    'current_law' as regime,
    cast((2 * p.leave_days * p.days_covered + p.days_in_year) // (2 * p.days_in_year) as double) as volume,
    r.unit,
    r.legal_basis,
    'List entry ' || p.list_entry_code || ' (' || p.list_section || '): ' || p.leave_days
        || ' days x ' || p.days_covered || '/' || p.days_in_year || ' days of ' || year(p.year_start)
        || ' under contract(s) ' || p.contract_ids
        || '; attestation ' || p.attestation_status
        || coalesce(' (act ' || p.attestation_id || ' of ' || p.attestation_order_date || ', class ' || p.workplace_class || ')', '')
        as evidence,
    p.as_of,
    p.list_entry_code,
    p.attestation_id
from per_workplace as p
cross join rule as r
where (2 * p.leave_days * p.days_covered + p.days_in_year) // (2 * p.days_in_year) > 0
