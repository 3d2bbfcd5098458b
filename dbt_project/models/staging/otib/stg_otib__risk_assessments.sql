-- stg_otib__risk_assessments: raw.risk_assessments, typed. Rule — event: one row per (workplace_id, assessed_on), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['workplace_id', 'assessed_on'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('otib', 'risk_assessments'), key) }}
),

typed as (
    select
        workplace_id,
        cast(assessed_on as date) as assessed_on,
        cast(harm as double) as harm,
        cast(injury as double) as injury,
        cast(equipment as double) as equipment,
        cast(ppe as double) as ppe,
        cast(morbidity as double) as morbidity,
        assessor_bin,
        {{ lineage_columns() }}
    from source
)

select *
from typed
