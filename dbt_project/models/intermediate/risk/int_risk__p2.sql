with p as (
    select * from {{ values_in_force(ref('enterprise_model_params'), {
        'window_months': 'p2_window_months', 'winsor_q': 'p2_winsor_quantile',
        'per_workers': 'p2_rate_per_workers'}) }}
),
w as (
    select * from {{ values_in_force(ref('p2_weights'),
        {'w_kch': 'kch', 'w_kt': 'kt', 'w_dis': 'diseases'}, key='component', value='weight') }}
),

inc as (
    select
        i.bin,
        count(*) filter (where i.kind in ('injury', 'fatal'))                       as injuries,
        count(*) filter (where i.kind = 'fatal')                                      as fatalities,
        count(*) filter (where i.kind = 'occupational_disease')                       as diseases,
        coalesce(sum(i.days_lost) filter (where i.kind in ('injury', 'fatal')), 0)    as days_lost,
        count(*) filter (where i.group_accident)                                      as group_accidents
    from {{ ref('stg_otib__incidents') }} i
    cross join p
    where i.occurred_on <= {{ as_of_date() }}
      and i.occurred_on > {{ as_of_date() }} - to_months(cast(p.window_months as integer))
    group by i.bin
),

raw_values as (
    select
        e.bin, e.oked_section, e.headcount,
        coalesce(i.injuries, 0) as injuries,
        coalesce(i.fatalities, 0) as fatalities,
        coalesce(i.diseases, 0) as diseases,
        coalesce(i.days_lost, 0) as days_lost,
        coalesce(i.group_accidents, 0) as group_accidents,
        case when e.headcount > 0 then coalesce(i.injuries, 0) * p.per_workers / e.headcount else 0 end as kch,
        case when coalesce(i.injuries, 0) > 0 then i.days_lost::double / i.injuries else 0 end as kt,
        case when e.headcount > 0 then coalesce(i.diseases, 0) * p.per_workers / e.headcount else 0 end as diseases_per_1000,
        e.headcount = 0 and (coalesce(i.injuries, 0) + coalesce(i.diseases, 0)) > 0 as rates_without_headcount
    from {{ ref('int_risk__enterprise_headcount') }} e
    cross join p
    left join inc i using (bin)
    where e.scored
),

section_caps as (
    -- per section, each component's winsor cap (one sorted list per section)
    select l.oked_section,
           {{ winsor_cap('l.kch_list', 'l.n_section', 'p.winsor_q') }} as kch_cap,
           {{ winsor_cap('l.kt_list', 'l.n_section', 'p.winsor_q') }} as kt_cap,
           {{ winsor_cap('l.diseases_list', 'l.n_section', 'p.winsor_q') }} as diseases_cap
    from (
        select oked_section, count(*) as n_section,
               list_sort(list(kch)) as kch_list,
               list_sort(list(kt)) as kt_list,
               list_sort(list(diseases_per_1000)) as diseases_list
        from raw_values
        group by oked_section
    ) l
    cross join p
),

winsorised as (
    select
        r.*,
        least(r.kch, c.kch_cap) as kch_w,
        least(r.kt, c.kt_cap) as kt_w,
        least(r.diseases_per_1000, c.diseases_cap) as diseases_w
    from raw_values r
    join section_caps c on c.oked_section is not distinct from r.oked_section
),

normalised as (
    select
        *,
        case when max(kch_w) over s = min(kch_w) over s then 0
             else (kch_w - min(kch_w) over s) / (max(kch_w) over s - min(kch_w) over s) end as z_kch,
        case when max(kt_w) over s = min(kt_w) over s then 0
             else (kt_w - min(kt_w) over s) / (max(kt_w) over s - min(kt_w) over s) end as z_kt,
        case when max(diseases_w) over s = min(diseases_w) over s then 0
             else (diseases_w - min(diseases_w) over s) / (max(diseases_w) over s - min(diseases_w) over s) end as z_diseases
    from winsorised
    window s as (partition by oked_section)
)

select
    n.bin,
    n.oked_section,
    n.headcount,
    n.injuries, n.fatalities, n.diseases, n.days_lost, n.group_accidents,
    n.kch, n.kt, n.diseases_per_1000,
    n.z_kch, n.z_kt, n.z_diseases,
    round(w.w_kch * n.z_kch + w.w_kt * n.z_kt + w.w_dis * n.z_diseases, 10) as p2,
    case
        when n.rates_without_headcount then 'incidents but no workers on as_of: per-1000 rates set to 0'
        when n.injuries + n.diseases = 0 then 'no incidents in the window (a real zero)'
    end as p2_reason
from normalised n
cross join w
