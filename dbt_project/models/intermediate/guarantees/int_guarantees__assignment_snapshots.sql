{#- Every run keeps what it assigned: the assignments of both regimes as of var('as_of'),
    appended to this table (incremental, delete+insert on as_of, so re-running the same
    as_of replaces its snapshot and the table stays idempotent). marts.assignment_history and
    marts.assignment_events are derived from it. It ignores --full-refresh (which the
    pipeline passes to rebuild event staging): the history would be lost. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of',
    full_refresh=false,
    on_schema_change='append_new_columns'
) }}
select
    cast(as_of as date) as as_of,
    worker_key,
    bin,
    workplace_id,
    guarantee,
    regime,
    cast(volume as double) as volume,
    unit,
    legal_basis,
    evidence
from {{ ref('int_guarantees__assignments_current_law') }}
union all
select
    cast(as_of as date) as as_of,
    worker_key,
    bin,
    workplace_id,
    guarantee,
    regime,
    cast(volume as double) as volume,
    unit,
    legal_basis,
    evidence
from {{ ref('int_guarantees__assignments_risk_model') }}
