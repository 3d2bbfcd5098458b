{#- The measures every map mart (region_risk, oked_risk) adds up over
    int_risk__enterprise_map_facts, aliased x: one list, so the maps cannot drift apart. -#}
{% macro risk_map_measures() -%}
    count(*) as enterprises,
    count(*) filter (where x.risk_level = 'low') as enterprises_low,
    count(*) filter (where x.risk_level = 'medium') as enterprises_medium,
    count(*) filter (where x.risk_level = 'high') as enterprises_high,
    count(*) filter (where x.risk_level = 'very_high') as enterprises_very_high,
    cast(sum(x.workers) as bigint) as workers,
    cast(sum(x.workers_harmful) as bigint) as workers_harmful,
    cast(sum(x.workers_harmful) / nullif(sum(x.workers), 0) as double) as harmful_share,
    cast(sum(x.injuries) as bigint) as injuries,
    cast(sum(x.fatalities) as bigint) as fatalities,
    cast(sum(x.diseases) as bigint) as occupational_diseases,
    cast(avg(x.risk_score) as double) as mean_risk_score,
    cast(avg(x.ctr_score) as double) as mean_ctr_score,
    cast('{{ var("as_of") }}' as date) as as_of
{%- endmacro %}
