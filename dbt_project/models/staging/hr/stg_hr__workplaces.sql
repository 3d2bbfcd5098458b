-- stg_hr__workplaces: raw.workplaces, typed. Rule — snapshot: the rows of the newest drop on or before as_of of raw.workplaces (docs/design.md).

with source as (
    {{ snapshot_rows(source('hr', 'workplaces')) }}
),

typed as (
    select
        workplace_id,
        bin,
        unit,
        trim(profession) as profession,
        list_entry,
        coalesce(cast(subject_to_attestation as boolean), true) as subject_to_attestation,
        {{ lineage_columns() }}
    from source
)

select *
from typed
