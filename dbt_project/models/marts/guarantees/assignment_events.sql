{#- marts.assignment_events: what changed at the run of var('as_of') against the run
    before it — the notifications that replace the worker's application (issue 3 item 5):
    started (new assignment), changed (volume or unit differ), ended (no longer owed).
    Read from int_guarantees__assignment_versions: the versions that began at as_of, and
    those that ended then without a successor. On the first run every assignment is
    'started' (previous_as_of empty). -#}
{%- set as_of = as_of_date() %}
with versions as (
    select * from {{ ref('int_guarantees__assignment_versions') }}
),

previous_run as (
    select max(as_of) as as_of from {{ ref('int_guarantees__assignment_runs') }} where as_of < {{ as_of }}
),

events as (
    select started_by as event, worker_key, bin, workplace_id, guarantee, regime,
           previous_volume, volume, unit, legal_basis, evidence
    from versions
    where valid_from = {{ as_of }}
    union all
    select 'ended', worker_key, bin, workplace_id, guarantee, regime,
           volume, cast(null as double), unit, legal_basis, evidence
    from versions
    where valid_to = {{ as_of }} and ended_by = 'ended'
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
    (select as_of from previous_run) as previous_as_of,
    {{ as_of }} as as_of
from events
