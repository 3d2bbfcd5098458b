{#- The measures every map mart (region_risk, oked_risk) adds up over
    int_risk__enterprise_map_facts, aliased x: one list, so the maps cannot drift apart.
    Enterprises count only the scored (active) ones; workers count every contract active on
    as_of, workers_harmful and workers_not_attested the one definition of
    int_risk__workplace_headcount (docs/law_and_models.md §10). An area without enterprises has zeros. -#}
{% macro risk_map_measures() -%}
    cast(count(*) filter (where x.scored) as bigint) as enterprises,
    cast(count(*) filter (where x.scored and x.risk_level = 'low') as bigint) as enterprises_low,
    cast(count(*) filter (where x.scored and x.risk_level = 'medium') as bigint) as enterprises_medium,
    cast(count(*) filter (where x.scored and x.risk_level = 'high') as bigint) as enterprises_high,
    cast(count(*) filter (where x.scored and x.risk_level = 'very_high') as bigint) as enterprises_very_high,
    cast(coalesce(sum(x.workers), 0) as bigint) as workers,
    cast(coalesce(sum(x.workers_harmful), 0) as bigint) as workers_harmful,
    cast(sum(x.workers_harmful) / nullif(sum(x.workers), 0) as double) as harmful_share,
    cast(coalesce(sum(x.injuries), 0) as bigint) as injuries,
    cast(coalesce(sum(x.fatalities), 0) as bigint) as fatalities,
    cast(coalesce(sum(x.diseases), 0) as bigint) as occupational_diseases,
    cast({{ exact_avg('x.risk_score', 12) }} filter (where x.scored) as double) as mean_risk_score,
    cast({{ exact_avg('x.ctr_score', 10) }} filter (where x.scored) as double) as mean_ctr_score,
    {{ as_of_date() }} as as_of,
    cast(coalesce(sum(x.workers_not_attested), 0) as bigint) as workers_not_attested
{%- endmacro %}
