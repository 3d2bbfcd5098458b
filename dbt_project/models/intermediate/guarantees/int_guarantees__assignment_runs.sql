{#- The runs that assignment history counts: one row per as_of the assignments were
    recorded for (a run with no change is still a run). Only a run for the newest as_of is
    recorded — history moves forward; a run for an earlier as_of reads it as it was then.
    Kept across runs (incremental) and through --full-refresh. -#}
{%- set as_of = as_of_date() %}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of',
    full_refresh=false,
    on_schema_change='fail'
) }}
select {{ as_of }} as as_of
{% if is_incremental() %}
where {{ as_of }} >= coalesce((select max(as_of) from {{ this }}), {{ as_of }})
{% endif %}
