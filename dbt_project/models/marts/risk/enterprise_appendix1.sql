{#- marts.enterprise_appendix1 (docs/law_and_models.md §7, Appendix 1 of the monograph):
    one row per enterprise, period and indicator — 13 social and 5 economic indicators.
    period_offset 0 = the 12 months ending on as_of (the as_of year), 1 = the 12 months
    before (the previous year); `year` = calendar year of the period end. A NULL value
    always carries value_reason (not computable from the extracts, source without rows
    for the period, or undefined for the enterprise). -#}
select
    v.bin,
    e.name as enterprise_name,
    v.oked_section,
    e.region_code,
    cast(v.year as integer) as year,
    cast(v.period_offset as integer) as period_offset,
    v.period_start,
    v.period_end,
    v.indicator_code,
    v.indicator_kind,
    cast(v.indicator_no as integer) as indicator_no,
    v.name_ru,
    v.name_en,
    v.unit,
    v.source,
    v.seed_line,
    v.computable,
    cast(v.value as double) as value,
    v.value_reason,
    v.efficiency_basis,
    cast(v.intensity as double) as intensity,
    cast(v.headcount_end as bigint) as headcount_end,
    {{ as_of_date() }} as as_of
from {{ ref('int_risk__appendix1_values') }} v
join {{ ref('stg_registry__enterprises') }} e using (bin)
