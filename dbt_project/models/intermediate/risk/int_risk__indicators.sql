with catalogue as (
    select * from {{ in_force(ref('ctr_indicators')) }}
),
params as (
    select parameter, value from {{ in_force(ref('ctr_params')) }}
),
q as (
    select value as winsor_q from params where parameter = 'winsor_quantile'
),
v as (
    select
        v.bin, e.oked_section, c.code as indicator_code, c.indicator_group, c.source,
        c.direction, c.weight, c.normalisation,
        c.parameter as required_parameter,
        c.parameter is not null and pp.parameter is null as parameter_missing,
        case when c.parameter is not null and pp.parameter is null then null else v.raw_value end as raw_value,
        s.available as source_available
    from catalogue c
    join {{ ref('int_risk__indicator_values') }} v on v.indicator_code = c.code
    join {{ ref('int_risk__enterprise_headcount') }} e using (bin)
    left join {{ ref('int_risk__source_availability') }} s on s.source = c.source
    left join params pp on pp.parameter = c.parameter
),
section_values as (
    -- each section's defined values, ascending, once per section (for the winsor percentile)
    select indicator_code, oked_section,
           count(raw_value) as n_section,
           list_sort(list(raw_value) filter (where raw_value is not null)) as xs
    from v
    group by indicator_code, oked_section
),
section_caps as (
    select sv.indicator_code, sv.oked_section, {{ winsor_cap('sv.xs', 'sv.n_section', 'q.winsor_q') }} as cap
    from section_values sv cross join q
),
capped as (
    select v.*, case when v.raw_value is null then null else least(v.raw_value, c.cap) end as capped_value
    from v
    join section_caps c
      on c.indicator_code = v.indicator_code and c.oked_section is not distinct from v.oked_section
),
normalised as (
    select
        *,
        case
            when raw_value is null then null
            when normalisation = 'flag' then case when raw_value > 0 then 1.0 else 0.0 end
            when normalisation = 'share' then least(greatest(raw_value, 0), 1)
            when normalisation = 'minmax_section' then
                case when max(capped_value) over s = min(capped_value) over s then 0.0
                     else (capped_value - min(capped_value) over s)
                          / (max(capped_value) over s - min(capped_value) over s) end
        end as normalised_value
    from capped
    window s as (partition by indicator_code, oked_section)
)
select
    bin,
    indicator_code,
    indicator_group,
    source,
    direction,
    normalisation,
    raw_value,
    {{ stable_float('normalised_value') }} as normalised_value,
    {{ stable_float("case when direction = 'higher_better' then 1 - normalised_value else normalised_value end") }} as risk_value,
    weight,
    coalesce(source_available, false) and raw_value is not null as available,
    case
        when not coalesce(source_available, false) then 'source ' || source || ' has no rows in its window up to as_of'
        when parameter_missing then 'parameter ' || required_parameter || ' not in force on as_of'
        when raw_value is null then 'not defined for this enterprise (empty denominator)'
    end as unavailable_reason
from normalised
