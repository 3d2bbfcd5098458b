{#- Staging helpers: the snapshot and event rules of docs/design.md. -#}

{#- Snapshot rule as of as_of (docs/law_and_models.md §10): the rows of the newest drop on or before as_of
    that holds the file. Raw keeps a snapshot as versions (docs/design.md, "Snapshot
    versions"): those rows are the versions landed on or before as_of that no drop on or
    before as_of has closed, each with the drop, file and line where it landed. For the
    default as_of (the newest drop) that is every version no drop has closed. -#}
{% macro snapshot_rows(relation) %}
{%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list if execute else [] %}
{%- if columns and '_until_drop' not in columns %}
    {#- A raw table written before snapshot versions: its next load rewrites it. -#}
    {{ exceptions.raise_compiler_error(relation.schema ~ "." ~ relation.identifier ~ " was written before snapshot versions (no _until_drop column): "
        ~ "load raw first (lrm run, or materialise the raw assets), which rewrites it as versions") }}
{%- endif %}
select * exclude (_until_drop)
from {{ relation }}
where _drop_date <= {{ as_of_date() }}
  and (_until_drop is null or _until_drop > {{ as_of_date() }})
{% endmacro %}

{#- Event rule: one row per key, the latest drop wins, then the highest line. Decided on
    the key as it landed (ingestion writes typed values in one spelling), before any cast:
    a later row replaces an earlier one of the same key even if the earlier one could not
    be cast, so one bad night cannot block the nights after it.
    Event staging is incremental (docs/design.md, "Incremental runs"): on a normal night
    it reads only the drops newer than any it holds, and their winners replace the rows
    with the same key (delete+insert). Raw changes to drops it may already hold (a reload,
    a backfill) make the pipeline pass --full-refresh instead (ops.staging_rebuild_due):
    the newest drop wins, so a new drop's winner beats every older row of its key. -#}
{% macro event_rows(relation, key_columns) %}
select *
from {{ relation }}
{% if is_incremental() %}
where _drop_date > (select coalesce(max(drop_date), date '0001-01-01') from {{ this }})
{% endif %}
qualify row_number() over (
    partition by {{ key_columns | join(', ') }}
    order by _drop_date desc, _line desc
) = 1
{% endmacro %}

{#- The raw lineage columns, renamed. -#}
{% macro lineage_columns() %}
    _drop_date as drop_date,
    _file as source_file,
    _line as source_line
{%- endmacro %}
