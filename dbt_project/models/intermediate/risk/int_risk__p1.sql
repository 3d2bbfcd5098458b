with ent as (
    select * from {{ ref('int_risk__enterprise_headcount') }}
    where scored
),

units as (
    select
        u.*,
        e.headcount,
        u.unit_headcount / nullif(e.headcount, 0) as w_i
    from {{ ref('int_risk__unit_risk') }} u
    join ent e using (bin)
),

computed as (
    select
        bin,
        count(*) filter (where r_unit is not null and w_i > 0) as units_scored,
        sum(workplaces_assessed) as workplaces_assessed,
        cast({{ exact_sum('w_i * r_unit', 12) }} filter (where r_unit is not null and w_i > 0) as double)
            / nullif(cast({{ exact_sum('w_i', 12) }} filter (where r_unit is not null and w_i > 0) as double), 0) as p1_computed
    from units
    group by bin
),

joined as (
    select
        e.bin, e.oked_section, e.region_code, e.headcount,
        coalesce(c.units_scored, 0) as units_scored,
        coalesce(c.workplaces_assessed, 0) as workplaces_assessed,
        c.p1_computed
    from ent e
    left join computed c using (bin)
),

section_mean as (
    select oked_section, {{ exact_avg('p1_computed', 12) }} as p1_section_mean
    from joined
    where p1_computed is not null
    group by oked_section
),

national as (
    select {{ exact_avg('p1_computed', 12) }} as p1_national_mean from joined where p1_computed is not null
)

select
    j.bin,
    j.oked_section,
    j.region_code,
    j.headcount,
    j.units_scored,
    j.workplaces_assessed,
    round(coalesce(j.p1_computed, s.p1_section_mean, n.p1_national_mean), 10) as p1,
    j.p1_computed is null as p1_imputed,
    case
        when j.p1_computed is not null then null
        when j.workplaces_assessed = 0 and s.p1_section_mean is not null
            then 'imputed: no risk assessment (mean of OKED section ' || coalesce(j.oked_section, '?') || ')'
        when j.workplaces_assessed = 0 and n.p1_national_mean is not null
            then 'imputed: no risk assessment (national mean: no assessed enterprise in the section)'
        when s.p1_section_mean is not null
            then 'imputed: no workers on as_of in assessed workplaces (mean of OKED section ' || coalesce(j.oked_section, '?') || ')'
        when n.p1_national_mean is not null
            then 'imputed: no workers on as_of in assessed workplaces (national mean)'
        else 'missing: no risk assessment anywhere'
    end as p1_reason
from joined j
left join section_mean s on s.oked_section is not distinct from j.oked_section
cross join national n
