{#- Enterprise result = П1 + П2 + П3 (domain.md §5, seed:2165-2182) and its level on
    the `enterprise` scale of seeds/scoring/risk_levels. -#}
with levels as (
    select level, level_rank, lower_bound, upper_bound
    from {{ ref('risk_levels') }}
    where scale = 'enterprise'
      and valid_from <= cast('{{ var("as_of") }}' as date)
    qualify valid_from = max(valid_from) over ()
),
s as (
    select
        p1.bin, p1.oked_section, p1.region_code, p1.headcount,
        p1.units_scored, p1.workplaces_assessed,
        p1.p1, p1.p1_imputed, p1.p1_reason,
        p2.p2, p2.kch, p2.kt, p2.diseases_per_1000, p2.z_kch, p2.z_kt, p2.z_diseases,
        p2.injuries, p2.fatalities, p2.diseases, p2.p2_reason,
        p3.p3, p3.p3_missing, p3.checklist_submitted_on, p3.p3_reason,
        round(p1.p1 + p2.p2 + p3.p3, 10) as risk_score
    from {{ ref('int_risk__p1') }} p1
    join {{ ref('int_risk__p2') }} p2 using (bin)
    join {{ ref('int_risk__p3') }} p3 using (bin)
)
select s.*, l.level as risk_level
from s
left join levels l
  on s.risk_score >= l.lower_bound
 and (l.upper_bound is null or s.risk_score < l.upper_bound)
