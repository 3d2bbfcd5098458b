{#- Every assignment (worker, workplace, guarantee, regime) as versions: a version is a
    run of consecutive runs with the same volume and unit. valid_from = the as_of it was
    first owed at; valid_to = the first run's as_of where it changed or was no longer owed
    (exclusive; empty while current). bin, legal_basis and evidence are the latest run's.
    marts.assignment_history and marts.assignment_events read it.

    Incremental, so a night's cost follows today's assignments and what changed, not the
    length of the history: the versions open at the previous run are compared with today's
    assignments; a changed or ended version is closed, a new one opened, and only rows
    that differ are written (delete+insert on the version key). Re-running the newest
    as_of first removes the versions it opened (pre_hook) and recomputes them from the
    previous run's state, so reruns are idempotent. A run for an earlier as_of changes
    nothing here. Kept through --full-refresh (the history would be lost). -#}
{%- set as_of = as_of_date() %}
{%- set key = ['worker_key', 'workplace_id', 'guarantee', 'regime'] %}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=key + ['valid_from'],
    full_refresh=false,
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where valid_from = cast('" ~ var('as_of') ~ "' as date)
              and valid_from >= (select max(as_of) from {{ ref('int_guarantees__assignment_runs') }}){% endif %}"
) }}
with runs as (
    select as_of from {{ ref('int_guarantees__assignment_runs') }}
),

-- this run applies only when its as_of is the newest recorded run
applies as (
    select coalesce(max(as_of) = {{ as_of }}, false) as yes from runs
),

previous_run as (
    select max(as_of) as as_of from runs where as_of < {{ as_of }}
),

cur as (
    select worker_key, bin, workplace_id, guarantee, regime, volume, unit, legal_basis, evidence
    from {{ ref('int_guarantees__assignments') }}
),

prev as (
{% if is_incremental() %}
    select v.*
    from {{ this }} as v, previous_run as p
    where v.valid_from <= p.as_of and (v.valid_to is null or v.valid_to > p.as_of)
{% else %}
    select
        *,
        cast(null as date) as valid_from, cast(null as date) as valid_to,
        cast(null as varchar) as started_by, cast(null as varchar) as ended_by,
        cast(null as double) as previous_volume
    from cur
    where false
{% endif %}
),

compared as (
    select
        c.worker_key is not null as owed_now,
        p.worker_key is not null as owed_before,
        c.worker_key is not null and p.worker_key is not null
            and (p.volume is distinct from c.volume or p.unit is distinct from c.unit) as changed,
        p.valid_from as p_valid_from, p.valid_to as p_valid_to, p.started_by as p_started_by, p.previous_volume as p_previous_volume,
        p.bin as p_bin, p.volume as p_volume, p.unit as p_unit, p.legal_basis as p_legal_basis, p.evidence as p_evidence,
        {% for k in key %}coalesce(c.{{ k }}, p.{{ k }}) as {{ k }}, {% endfor %}
        c.bin, c.volume, c.unit, c.legal_basis, c.evidence
    from cur as c
    full outer join prev as p
        on {% for k in key %}p.{{ k }} = c.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
),

-- the version owed before, still open (its latest attributes), or closed today
kept_or_closed as (
    select
        {{ key | join(', ') }},
        case when owed_now and not changed then bin else p_bin end as bin,
        p_volume as volume,
        p_unit as unit,
        case when owed_now and not changed then legal_basis else p_legal_basis end as legal_basis,
        case when owed_now and not changed then evidence else p_evidence end as evidence,
        p_valid_from as valid_from,
        case when owed_now and not changed then null else {{ as_of }} end as valid_to,
        p_started_by as started_by,
        case when not owed_now then 'ended' when changed then 'changed' end as ended_by,
        p_previous_volume as previous_volume
    from compared
    where owed_before
      and (not owed_now or changed or p_valid_to is not null  -- closes, or reopens after a rerun
           or bin is distinct from p_bin or legal_basis is distinct from p_legal_basis or evidence is distinct from p_evidence)
),

opened as (
    select
        {{ key | join(', ') }},
        bin, volume, unit, legal_basis, evidence,
        {{ as_of }} as valid_from,
        cast(null as date) as valid_to,
        case when changed then 'changed' else 'started' end as started_by,
        cast(null as varchar) as ended_by,
        case when changed then p_volume end as previous_volume
    from compared
    where owed_now and (not owed_before or changed)
)

select * from (
    select * from kept_or_closed
    union all
    select * from opened
)
where (select yes from applies)
