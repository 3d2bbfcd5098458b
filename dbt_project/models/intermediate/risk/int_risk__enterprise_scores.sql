with levels as (
    select level, level_rank, lower_bound, upper_bound
    from {{ in_force(ref('risk_levels')) }}
    where scale = 'enterprise'
),

s as (
    select
        p1.bin, p1.oked_section, p1.region_code, p1.headcount,
        p1.units_scored, p1.workplaces_assessed,
        p1.p1, p1.p1_imputed, p1.p1_reason,
        p2.p2, p2.kch, p2.kt, p2.diseases_per_1000, p2.z_kch, p2.z_kt, p2.z_diseases,
        p2.injuries, p2.fatalities, p2.diseases, p2.p2_reason,
        p3.p3, p3.p3_missing, p3.checklist_submitted_on, p3.noncompliant_answers, p3.p3_reason,
        round(p1.p1 + p2.p2 + p3.p3, 10) as risk_score
    from {{ ref('int_risk__p1') }} p1
    join {{ ref('int_risk__p2') }} p2 using (bin)
    join {{ ref('int_risk__p3') }} p3 using (bin)
),

parts as (
    select bin, part, label, value, imputed, why,
           row_number() over (partition by bin order by value desc, part) as part_rank
    from (
        select bin, 'p1' as part, 'П1' as label, p1 as value, p1_imputed as imputed,
               coalesce(p1_reason, 'R_ind of ' || workplaces_assessed || ' assessed workplace(s), ' || units_scored || ' unit(s)') as why
        from s
        union all
        select bin, 'p2', 'П2', p2, false,
               coalesce(p2_reason, 'Кч ' || round(kch, 2) || ', Кт ' || round(kt, 2) || ', diseases per 1000 ' || round(diseases_per_1000, 2) || ' in the OKED section''s range')
        from s
        union all
        select bin, 'p3', 'П3', p3, p3_missing,
               coalesce(p3_reason, 'checklist of ' || checklist_submitted_on || ': '
                        || noncompliant_answers || ' answer(s) non-compliant')
        from s
    )
),

explained as (
    select
        bin,
        max(part) filter (where part_rank = 1) as risk_driver,
        bool_or(imputed) filter (where part_rank = 1) as risk_driver_imputed,
        sum(value) filter (where imputed) as imputed_value,
        string_agg(label || ' ' || printf('%.4f', value) || ' (' || why || ')', ' + ' order by part_rank) as risk_explanation
    from parts
    group by bin
)

select
    s.*,
    l.level as risk_level,
    e.risk_driver,
    e.risk_driver_imputed,
    round(coalesce(e.imputed_value, 0) / nullif(s.risk_score, 0), 10) as imputed_share,
    e.risk_explanation
from s
left join levels l
  on s.risk_score >= l.lower_bound
 and (l.upper_bound is null or s.risk_score < l.upper_bound)
left join explained as e
  on e.bin = s.bin
