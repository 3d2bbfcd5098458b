-- stg_hr__payroll: raw.payroll, typed. Rule — event: one row per (worker_key, bin, month), latest drop then highest line wins (docs/design.md).

with source as (
    select * from {{ source('hr', 'payroll') }}
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
{{ latest_per_key(['worker_key', 'bin', 'month']) }}
