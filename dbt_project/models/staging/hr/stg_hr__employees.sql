-- stg_hr__employees: raw.employees, typed. Rule — snapshot: the rows of the newest drop on or before as_of of raw.employees (docs/design.md).

with source as (
    {{ snapshot_rows(source('hr', 'employees')) }}
),

typed as (
    select
        contract_id,
        worker_key,
        bin,
        workplace_id,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(monthly_income as double) as monthly_income,
        {{ lineage_columns() }}
    from source
)

select *
from typed
