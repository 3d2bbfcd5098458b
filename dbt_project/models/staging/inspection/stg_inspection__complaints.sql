-- stg_inspection__complaints: raw.complaints, typed. Rule — event: one row per (complaint_id), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['complaint_id'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('inspection', 'complaints'), key) }}
),

typed as (
    select
        complaint_id,
        bin,
        cast(received_on as date) as received_on,
        topic,
        cast(collective as boolean) as collective,
        {{ lineage_columns() }}
    from source
)

select *
from typed
