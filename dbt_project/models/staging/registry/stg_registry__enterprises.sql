-- stg_registry__enterprises: raw.enterprises, typed. Rule — snapshot: the rows of the newest drop on or before as_of of raw.enterprises (docs/design.md); OKED section from the classification in force on as_of.

with source as (
    {{ snapshot_rows(source('registry', 'enterprises')) }}
),

typed as (
    select
        bin,
        name,
        oked,
        kato,
        status,
        cast(headcount as integer) as headcount,
        cast(registered_on as date) as registered_on,
        {{ lineage_columns() }}
    from source
)

select
    typed.* exclude (drop_date, source_file, source_line),
    left(typed.kato, 2) as region_code,
    oked.section as oked_section,
    typed.drop_date,
    typed.source_file,
    typed.source_line
from typed
left join {{ in_force(ref('oked_sections')) }} as oked
    on oked.division = left(typed.oked, 2)
