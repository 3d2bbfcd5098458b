-- stg_inspection__inspections: raw.inspections, typed. Rule — event: one row per (inspection_id), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['inspection_id'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('inspection', 'inspections'), key) }}
),

typed as (
    select
        inspection_id,
        bin,
        cast(inspected_on as date) as inspected_on,
        cast(violations as integer) as violations,
        cast(gross_violations as integer) as gross_violations,
        cast(fine_kzt as double) as fine_kzt,
        {{ lineage_columns() }}
    from source
)

select *
from typed
