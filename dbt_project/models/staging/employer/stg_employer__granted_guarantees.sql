-- stg_employer__granted_guarantees: raw.granted_guarantees, typed. Rule — event: one row per (worker_key, bin, guarantee, year), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['worker_key', 'bin', 'guarantee', 'year'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('employer', 'granted_guarantees'), key) }}
),

typed as (
    select
        worker_key,
        bin,
        guarantee,
        cast(year as integer) as year,
        cast(value as double) as value,
        {{ lineage_columns() }}
    from source
)

select *
from typed
