{#- marts.assignment_history: when each assignment (worker, workplace, guarantee, regime)
    started, changed and ended, across the runs kept in int_guarantees__assignment_snapshots
    (snapshots with as_of <= var('as_of')). One row per version: a run of consecutive
    snapshots with the same volume and unit. valid_from = the first snapshot of the version;
    valid_to = the first snapshot where it was changed or absent (exclusive; empty = current).
    started_by / ended_by say whether the version began or stopped by a start, a change or
    an end. -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with snaps as (
    select * from {{ ref('int_guarantees__assignment_snapshots') }}
    where as_of <= {{ as_of }}
),

runs as (
    select as_of, row_number() over (order by as_of) as run_no
    from (select distinct as_of from snaps)
),

last_run as (
    select max(run_no) as run_no from runs
),

snap_rows as (
    select s.*, r.run_no
    from snaps as s
    inner join runs as r on r.as_of = s.as_of
),

flagged as (
    select
        *,
        lag(run_no) over k as prev_run_no,
        lag(volume) over k as prev_volume,
        lag(unit) over k as prev_unit
    from snap_rows
    window k as (partition by worker_key, workplace_id, guarantee, regime order by run_no)
),

starts as (
    select
        *,
        case
            when prev_run_no is null or prev_run_no < run_no - 1 then 'started'
            when prev_volume is distinct from volume or prev_unit is distinct from unit then 'changed'
        end as start_kind
    from flagged
),

versioned as (
    select
        *,
        count(start_kind) over (
            partition by worker_key, workplace_id, guarantee, regime order by run_no
            rows between unbounded preceding and current row
        ) as version_no
    from starts
),

versions as (
    select
        worker_key,
        workplace_id,
        guarantee,
        regime,
        version_no,
        arg_min(start_kind, run_no) as started_by,
        min(run_no) as first_run,
        max(run_no) as last_run,
        arg_max(bin, run_no) as bin,
        arg_max(volume, run_no) as volume,
        arg_max(unit, run_no) as unit,
        arg_max(legal_basis, run_no) as legal_basis,
        arg_max(evidence, run_no) as evidence
    from versioned
    group by worker_key, workplace_id, guarantee, regime, version_no
),

with_next as (
    select
        v.*,
        lead(v.first_run) over (partition by v.worker_key, v.workplace_id, v.guarantee, v.regime order by v.version_no) as next_first_run
    from versions as v
)

select
    w.worker_key,
    w.bin,
    w.workplace_id,
    w.guarantee,
    w.regime,
    cast(w.version_no as integer) as version_no,
    w.volume,
    w.unit,
    w.legal_basis,
    w.evidence,
    rf.as_of as valid_from,
    rn.as_of as valid_to,
    w.started_by,
    case
        when w.last_run = (select run_no from last_run) then null
        when w.next_first_run = w.last_run + 1 then 'changed'
        else 'ended'
    end as ended_by,
    w.last_run = (select run_no from last_run) as is_current,
    {{ as_of }} as as_of
from with_next as w
inner join runs as rf on rf.run_no = w.first_run
left join runs as rn on rn.run_no = w.last_run + 1
