{#- marts.assignment_events: what changed since the previous run — the notifications that
    replace the worker's application (issue 3 item 5). Compares the snapshot of var('as_of')
    with the latest earlier snapshot in int_guarantees__assignment_snapshots:
    started (new assignment), changed (volume or unit differ), ended (no longer owed).
    On the first run every assignment is 'started' (previous_as_of empty). -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with snaps as (
    select * from {{ ref('int_guarantees__assignment_snapshots') }}
),

cur as (
    select * from snaps where as_of = {{ as_of }}
),

prev_date as (
    select max(as_of) as as_of from snaps where as_of < {{ as_of }}
),

prev as (
    select * from snaps where as_of = (select as_of from prev_date)
),

compared as (
    select
        case
            when p.worker_key is null then 'started'
            when c.worker_key is null then 'ended'
            when p.volume is distinct from c.volume or p.unit is distinct from c.unit then 'changed'
        end as event,
        coalesce(c.worker_key, p.worker_key) as worker_key,
        coalesce(c.bin, p.bin) as bin,
        coalesce(c.workplace_id, p.workplace_id) as workplace_id,
        coalesce(c.guarantee, p.guarantee) as guarantee,
        coalesce(c.regime, p.regime) as regime,
        p.volume as previous_volume,
        c.volume as volume,
        coalesce(c.unit, p.unit) as unit,
        coalesce(c.legal_basis, p.legal_basis) as legal_basis,
        coalesce(c.evidence, p.evidence) as evidence
    from cur as c
    full outer join prev as p
        on p.worker_key = c.worker_key
        and p.workplace_id = c.workplace_id
        and p.guarantee = c.guarantee
        and p.regime = c.regime
)

select
    event,
    worker_key,
    bin,
    workplace_id,
    guarantee,
    regime,
    previous_volume,
    volume,
    unit,
    legal_basis,
    evidence,
    (select as_of from prev_date) as previous_as_of,
    {{ as_of }} as as_of
from compared
where event is not null
