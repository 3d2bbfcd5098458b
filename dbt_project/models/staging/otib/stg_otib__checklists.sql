-- stg_otib__checklists: raw.checklists, typed. Rule — event: one row per (bin, submitted_on), latest drop then highest line wins, decided on the key as landed before any cast (docs/design.md).

{% set key = ['bin', 'submitted_on'] %}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=key, on_schema_change='fail') }}

with source as (
    {{ event_rows(source('otib', 'checklists'), key) }}
),

typed as (
    select
        bin,
        cast(submitted_on as date) as submitted_on,
        cast(q01 as boolean) as q01,
        cast(q02 as boolean) as q02,
        cast(q03 as boolean) as q03,
        cast(q04 as boolean) as q04,
        cast(q05 as boolean) as q05,
        cast(q06 as boolean) as q06,
        cast(q07 as boolean) as q07,
        cast(q08 as boolean) as q08,
        cast(q09 as boolean) as q09,
        cast(q10 as boolean) as q10,
        cast(q11 as boolean) as q11,
        cast(q12 as boolean) as q12,
        cast(q13 as boolean) as q13,
        cast(q14 as boolean) as q14,
        cast(q15 as boolean) as q15,
        confirmed_by,
        -- П3 input: how many of q01..q15 are answered non-compliant
        (
            cast(not cast(q01 as boolean) as integer)
              + cast(not cast(q02 as boolean) as integer)
              + cast(not cast(q03 as boolean) as integer)
              + cast(not cast(q04 as boolean) as integer)
              + cast(not cast(q05 as boolean) as integer)
              + cast(not cast(q06 as boolean) as integer)
              + cast(not cast(q07 as boolean) as integer)
              + cast(not cast(q08 as boolean) as integer)
              + cast(not cast(q09 as boolean) as integer)
              + cast(not cast(q10 as boolean) as integer)
              + cast(not cast(q11 as boolean) as integer)
              + cast(not cast(q12 as boolean) as integer)
              + cast(not cast(q13 as boolean) as integer)
              + cast(not cast(q14 as boolean) as integer)
              + cast(not cast(q15 as boolean) as integer)
        ) as noncompliant_answers,
        {{ lineage_columns() }}
    from source
)

select *
from typed
