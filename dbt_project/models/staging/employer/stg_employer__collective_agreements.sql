-- stg_employer__collective_agreements: raw.collective_agreements, typed. Rule — snapshot: the rows of the newest drop on or before as_of of raw.collective_agreements (docs/design.md).

with source as (
    {{ snapshot_rows(source('employer', 'collective_agreements')) }}
),

typed as (
    select
        bin,
        cast(signed_on as date) as signed_on,
        cast(valid_until as date) as valid_until,
        cast(pay_supplement_pct as double) as pay_supplement_pct,
        cast(union_present as boolean) as union_present,
        {{ lineage_columns() }}
    from source
)

select *
from typed
