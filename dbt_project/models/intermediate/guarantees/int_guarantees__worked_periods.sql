{#- The stretches of the calendar year of as_of during which a worker held at least one
    contract at a workplace: the contracts' days in that year (an open contract runs to
    31 December), overlapping or back-to-back contracts merged into one stretch, so that a
    day worked under two concurrent contracts counts once (docs/law_and_models.md §10,
    "Additional leave": proportional to the time actually worked). -#}
with contracts as (
    select
        contract_id,
        worker_key,
        bin,
        workplace_id,
        days_in_year,
        year_start,
        year_end,
        list_entry_code,
        greatest(start_date, year_start) as day_from,
        least(coalesce(end_date, year_end), year_end) as day_to
    from {{ ref('int_guarantees__contract_facts') }}
    where days_covered_in_year > 0
),

flagged as (
    select
        *,
        {#- a contract opens a new stretch unless it starts by the day after the latest end
            of the contracts before it -#}
        coalesce(
            day_from > cast(max(day_to) over (
                partition by worker_key, workplace_id order by day_from, contract_id
                rows between unbounded preceding and 1 preceding
            ) + interval 1 day as date),
            true
        ) as opens_stretch
    from contracts
),

numbered as (
    select
        *,
        sum(cast(opens_stretch as integer)) over (
            partition by worker_key, workplace_id order by day_from, contract_id
            rows between unbounded preceding and current row
        ) as stretch_no
    from flagged
)

select
    worker_key,
    workplace_id,
    any_value(bin) as bin,
    min(day_from) as period_start,
    max(day_to) as period_end,
    string_agg(contract_id, ', ' order by contract_id) as contract_ids,
    any_value(days_in_year) as days_in_year,
    any_value(year_start) as year_start,
    any_value(year_end) as year_end,
    any_value(list_entry_code) as list_entry_code
from numbered
group by worker_key, workplace_id, stretch_no
