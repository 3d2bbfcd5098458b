{#- The days of the calendar year of as_of that a worker worked at a workplace
    (int_guarantees__worked_periods: concurrent contracts merged, an open contract runs to
    31 December), cut by the workplace's attestation status on each day
    (int_conditions__status_timeline, as known on as_of): one row per worked stretch and
    status period, with whether the List applied on those days — the status is one under
    which list_applicability (in force on as_of) applies the List, and the workplace has a
    List entry (docs/law_and_models.md §10, "Additional leave": proportional to the time
    actually worked in those conditions, art. 89 p.1). int_guarantees__additional_leave adds
    them up. -#}
with worked as (
    select worker_key, bin, workplace_id, period_start, period_end, contract_ids, year_start, year_end,
           days_in_year, list_entry_code
    from {{ ref('int_guarantees__worked_periods') }}
),

applicability as (
    select * from {{ in_force(ref('list_applicability')) }}
),

segments as (
    select
        f.worker_key,
        f.bin,
        f.workplace_id,
        f.contract_ids,
        f.days_in_year,
        t.attestation_status,
        t.attestation_id,
        greatest(f.period_start, coalesce(t.period_start, f.year_start)) as segment_start,
        least(f.period_end, coalesce(cast(t.period_end - interval 1 day as date), f.year_end)) as segment_end,
        coalesce(a.list_applies, false) and f.list_entry_code is not null as list_applies
    from worked as f
    inner join {{ ref('int_conditions__status_timeline') }} as t
        on t.workplace_id = f.workplace_id
    left join applicability as a
        on a.attestation_status = t.attestation_status
)

select
    *,
    cast(datediff('day', segment_start, segment_end) + 1 as integer) as days,
    strftime(segment_start, '%Y-%m-%d') || '..' || strftime(segment_end, '%Y-%m-%d') || ' ' || attestation_status
        as period_label
from segments
where segment_start <= segment_end
