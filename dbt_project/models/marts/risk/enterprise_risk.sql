{#- marts.enterprise_risk (contracts/outputs.md): one row per enterprise — П1, П2, П3 and
    their sum with its level (domain.md §5), the ЦКТР-style score (domain.md §6), and the
    reason/flag columns that explain every imputed or defaulted value. -#}
select
    s.bin,
    e.name as enterprise_name,
    s.oked_section,
    s.region_code,
    cast(s.headcount as bigint) as headcount,
    cast(s.p1 as double) as p1,
    cast(s.p2 as double) as p2,
    cast(s.p3 as double) as p3,
    cast(s.risk_score as double) as risk_score,
    s.risk_level,
    cast(c.ctr_score as double) as ctr_score,
    c.ctr_level,
    cast(c.ctr_weight_covered as double) as ctr_weight_covered,
    s.p1_imputed,
    s.p1_reason,
    s.p2_reason,
    s.p3_missing,
    s.p3_reason,
    cast(s.kch as double) as kch,
    cast(s.kt as double) as kt,
    cast(s.diseases_per_1000 as double) as diseases_per_1000,
    cast(s.injuries as bigint) as injuries,
    cast(s.fatalities as bigint) as fatalities,
    cast(c.indicators_available as bigint) as ctr_indicators_available,
    cast('{{ var("as_of") }}' as date) as as_of
from {{ ref('int_risk__enterprise_scores') }} s
join {{ ref('stg_registry__enterprises') }} e using (bin)
left join {{ ref('int_risk__ctr_score') }} c using (bin)
