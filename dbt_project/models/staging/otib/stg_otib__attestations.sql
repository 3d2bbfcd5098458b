-- stg_otib__attestations: raw.attestations, typed. Rule — event: one row per (attestation_id, workplace_id, factor), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['attestation_id', 'workplace_id', 'factor'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('otib', 'attestations'), key) }}
),

typed as (
    select
        attestation_id,
        bin,
        order_no,
        cast(order_date as date) as order_date,
        workplace_id,
        factor,
        cast(measured as double) as measured,
        cast(limit_value as double) as limit_value,
        "class",
        {{ lineage_columns() }}
    from source
)

select *
from typed
