-- stg_hr__payroll: raw.payroll, typed. Rule — event: one row per (worker_key, bin, month), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['worker_key', 'bin', 'month'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('hr', 'payroll'), key) }}
),

typed as (
    select
        worker_key,
        bin,
        month,
        cast(accrued as double) as accrued,
        cast(paid as double) as paid,
        cast(paid_on as date) as paid_on,
        cast(overtime_hours as double) as overtime_hours,
        {{ lineage_columns() }}
    from source
)

select *
from typed
