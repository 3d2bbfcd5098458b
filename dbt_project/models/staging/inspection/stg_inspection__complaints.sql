-- stg_inspection__complaints: raw.complaints, typed. Rule — event: one row per (complaint_id), latest drop then highest line wins (docs/design.md).

with source as (
    select * from {{ source('inspection', 'complaints') }}
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
{{ latest_per_key(['complaint_id']) }}
