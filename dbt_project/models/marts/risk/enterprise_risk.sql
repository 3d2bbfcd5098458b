{#- marts.enterprise_risk (docs/design.md, published interface): one row per enterprise of the registry
    snapshot in force on as_of — П1, П2, П3 and their sum with its absolute level
    (docs/law_and_models.md §5) and what drives it, the ЦКТР-style score (docs/law_and_models.md §6) with its level by
    national percentile rank (§10), and the reason/flag columns that explain every imputed
    or defaulted value. A liquidated enterprise keeps its row but gets no score or level
    (scored = false, not_scored_reason). -#}
select
    e.bin,
    e.name as enterprise_name,
    e.oked_section,
    e.region_code,
    cast(h.headcount as bigint) as headcount,
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
    {{ as_of_date() }} as as_of,
    e.status as enterprise_status,
    h.scored,
    case when not h.scored then 'not scored: enterprise ' || coalesce(e.status, 'without a status') || ' in the registry snapshot in force on as_of' end
        as not_scored_reason,
    s.risk_driver,
    s.risk_driver_imputed,
    cast(s.imputed_share as double) as imputed_share,
    s.risk_explanation,
    cast(c.ctr_percentile_rank as double) as ctr_percentile_rank
from {{ ref('stg_registry__enterprises') }} e
join {{ ref('int_risk__enterprise_headcount') }} h using (bin)
left join {{ ref('int_risk__enterprise_scores') }} s using (bin)
left join {{ ref('int_risk__ctr_score') }} c using (bin)
