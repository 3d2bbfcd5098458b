-- stg_otib__incidents: raw.incidents, typed. Rule — event: one row per (incident_id), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['incident_id'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('otib', 'incidents'), key) }}
),

typed as (
    select
        incident_id,
        bin,
        worker_key,
        cast(occurred_on as date) as occurred_on,
        kind,
        cast(days_lost as integer) as days_lost,
        cast(group_accident as boolean) as group_accident,
        {{ lineage_columns() }}
    from source
)

select *
from typed
