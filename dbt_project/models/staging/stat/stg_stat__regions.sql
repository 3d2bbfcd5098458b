-- stg_stat__regions: raw.stat_regions, typed. Rule — event: one row per (year, region), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['year', 'region'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('stat', 'stat_regions'), key) }}
),

typed as (
    select
        cast(year as integer) as year,
        region,
        cast(workers_surveyed as integer) as workers_surveyed,
        cast(workers_harmful as integer) as workers_harmful,
        cast(heavy_labour as integer) as heavy_labour,
        cast(injuries as integer) as injuries,
        cast(fatalities as integer) as fatalities,
        {{ lineage_columns() }}
    from source
)

select *
from typed
