{%- set d = as_of_date() -%}
with catalogue as (
    select * from {{ in_force(ref('appendix1_indicators')) }}
),
p as (
    select cast(n.periods as integer) as periods, t.heavy_factor, n.hazard
    from {{ values_in_force(ref('appendix1_params'), {'periods': 'periods', 'hazard': 'injury_hazard_threshold'}) }} as n
    cross join {{ values_in_force(ref('appendix1_params'), {'heavy_factor': 'heavy_factor'}, value='text_value') }} as t
),
periods as (
    select
        k as period_offset,
        cast({{ d }} - to_years(k + 1) as date) as period_start,
        cast({{ d }} - to_years(k) as date) as period_end
    from (select unnest(range(cast(periods as bigint)))::integer as k from p)
),
cost as (
    select
        pe.period_offset,
        max(c.value) filter (where c.parameter = 'leave_day_divisor')   as leave_div,
        max(c.value) filter (where c.parameter = 'short_week_fraction') as sw_frac,
        max(c.value) filter (where c.parameter = 'milk_kzt_per_month')  as milk,
        max(c.value) filter (where c.parameter = 'lpp_kzt_per_month')   as lpp,
        max(c.value) filter (where c.parameter = 'ppe_kzt_per_year')    as ppe,
        max(c.value) filter (where c.parameter = 'months_per_year')     as months
    from periods pe
    left join {{ ref('cost_parameters') }} c on {{ in_force_on('pe.period_end', 'c') }}
    group by pe.period_offset
),
ep as (
    select e.bin, e.oked_section, pe.*
    from {{ ref('stg_registry__enterprises') }} e
    cross join periods pe
),

-- which sources hold data for a period (a missing year is not a real zero) ------------
src as (
    select pe.period_offset, s.source, s.available
    from periods pe
    cross join lateral (
        select 'attestations' as source,
               exists (select 1 from {{ ref('stg_otib__attestations') }} a where a.order_date <= pe.period_end) as available
        union all
        select 'risk_assessments',
               exists (select 1 from {{ ref('stg_otib__risk_assessments') }} r where r.assessed_on <= pe.period_end)
        union all
        select 'incidents',
               exists (select 1 from {{ ref('stg_otib__incidents') }} i
                       where i.occurred_on > pe.period_start and i.occurred_on <= pe.period_end)
        union all
        select 'employees',
               exists (select 1 from {{ ref('stg_hr__employees') }} c where c.start_date <= pe.period_end)
        union all
        select 'granted_guarantees',
               exists (select 1 from {{ ref('stg_employer__granted_guarantees') }} g
                       where g.year = year(pe.period_end))
    ) s
),

-- stocks on the period end ------------------------------------------------------------
contracts as (select * from {{ ref('stg_hr__employees') }}),
hc as (
    select
        ep.bin, ep.period_offset,
        count(c.contract_id) filter (where c.start_date <= ep.period_end
                                       and (c.end_date is null or c.end_date >= ep.period_end)) as headcount_end,
        count(c.contract_id) filter (where c.start_date <= ep.period_start
                                       and (c.end_date is null or c.end_date >= ep.period_start)) as headcount_start,
        count(c.contract_id) filter (where c.end_date >= ep.period_start and c.end_date < ep.period_end) as separations,
        {{ exact_avg('c.monthly_income') }} filter (where c.start_date <= ep.period_end
                                        and (c.end_date is null or c.end_date >= ep.period_end)) as mean_income_end
    from ep
    left join contracts c on c.bin = ep.bin
    group by all
),
wp as (
    select
        w.workplace_id, w.bin, coalesce(w.subject_to_attestation, true) as subject,
        pe.period_offset, pe.period_end,
        count(c.contract_id) as workers
    from {{ ref('stg_hr__workplaces') }} w
    cross join periods pe
    left join contracts c
      on c.workplace_id = w.workplace_id and c.bin = w.bin
     and c.start_date <= pe.period_end and (c.end_date is null or c.end_date >= pe.period_end)
    group by all
),
classes as (
    select "class", degree from {{ in_force(ref('condition_classes')) }}
),
act as (
    -- the workplace's status on the period end, as known on as_of (the status timeline)
    select
        wp.workplace_id, wp.period_offset,
        t.attestation_id, t.class_rank, cl.degree,
        t.attestation_status = 'confirmed_harmful' as is_harmful,
        t.attestation_status in ('confirmed_harmful', 'confirmed_acceptable') as valid
    from wp
    join {{ ref('int_conditions__status_timeline') }} t
      on t.workplace_id = wp.workplace_id
     and (t.period_start is null or t.period_start <= wp.period_end)
     and (t.period_end is null or wp.period_end < t.period_end)
    left join classes cl on cl."class" = t.workplace_class
),
heavy as (
    select distinct act.workplace_id, act.period_offset
    from act
    join {{ ref('int_conditions__factor_classes') }} f
      on f.attestation_id = act.attestation_id and f.workplace_id = act.workplace_id
    cross join p
    where act.valid and f.factor = p.heavy_factor and f.is_harmful
),
ra as (
    select wp.workplace_id, wp.period_offset, r.injury, r.ppe
    from wp
    join {{ ref('stg_otib__risk_assessments') }} r
      on r.workplace_id = wp.workplace_id and r.assessed_on <= wp.period_end
    qualify row_number() over (partition by wp.workplace_id, wp.period_offset order by r.assessed_on desc) = 1
),
wp_agg as (
    select
        wp.bin, wp.period_offset,
        count(*) as workplaces,
        count(*) filter (where act.valid and act.is_harmful) as s01,
        count(h.workplace_id) as s02,
        count(*) filter (where act.valid and act.degree is not null) as s03,
        count(*) filter (where ra.injury >= (select hazard from p)) as s04,
        coalesce(sum(wp.workers) filter (where act.valid and act.is_harmful), 0) as s05,
        cast({{ exact_sum('wp.workers * (1 - ra.ppe)', 9) }} filter (where ra.ppe is not null and wp.workers > 0) as double)
            / nullif(sum(wp.workers) filter (where ra.ppe is not null and wp.workers > 0), 0) as s13
    from wp
    left join act using (workplace_id, period_offset)
    left join heavy h using (workplace_id, period_offset)
    left join ra using (workplace_id, period_offset)
    group by all
),

-- flows over the period ---------------------------------------------------------------
inc as (
    select
        ep.bin, ep.period_offset,
        count(i.incident_id) filter (where i.kind in ('injury', 'fatal'))               as s07,
        count(i.incident_id) filter (where i.kind = 'occupational_disease')             as s08,
        coalesce(sum(i.days_lost) filter (where i.kind in ('injury', 'fatal')), 0)      as days_lost
    from ep
    left join {{ ref('stg_otib__incidents') }} i
      on i.bin = ep.bin and i.occurred_on > ep.period_start and i.occurred_on <= ep.period_end
    group by all
),

-- granted guarantees for the calendar year of the period end ---------------------------
income as (
    select worker_key, bin, max(monthly_income) as monthly_income
    from contracts
    group by all
),
grants as (
    select
        ep.bin, ep.period_offset,
        count(*) filter (where g.guarantee = 'ppe') * any_value(c.ppe)                      as e01,
        (count(*) filter (where g.guarantee = 'milk') * any_value(c.milk)
         + count(*) filter (where g.guarantee = 'therapeutic_nutrition') * any_value(c.lpp))
            * any_value(c.months)                                                          as e02,
        case when any_value(c.leave_div) is not null and any_value(c.sw_frac) is not null
                  and any_value(c.months) is not null then
        cast(coalesce({{ exact_sum('g.value * i.monthly_income / c.leave_div') }}
                          filter (where g.guarantee = 'additional_leave'), 0)
             + coalesce({{ exact_sum('c.sw_frac * i.monthly_income * c.months') }}
                          filter (where g.guarantee = 'short_week'), 0) as double) end       as e04,
        count(*) filter (where g.guarantee in ('additional_leave', 'short_week')
                           and i.monthly_income is null)                                    as e04_unknown
    from ep
    join cost c using (period_offset)
    left join {{ ref('stg_employer__granted_guarantees') }} g
      on g.bin = ep.bin and g.year = year(ep.period_end)
    left join income i on i.worker_key = g.worker_key and i.bin = g.bin
    group by all
),

wide as (
    select
        ep.bin, ep.oked_section, ep.period_offset, ep.period_start, ep.period_end,
        hc.headcount_end, w.workplaces,
        list_value(
            {'code': 'a1_s01_workplaces_not_meeting_norms', 'value': w.s01::double, 'reason': null::varchar},
            {'code': 'a1_s02_workplaces_heavy', 'value': w.s02::double, 'reason': null},
            {'code': 'a1_s03_workplaces_harmful', 'value': w.s03::double, 'reason': null},
            {'code': 'a1_s04_workplaces_injury_hazard', 'value': w.s04::double, 'reason': null},
            {'code': 'a1_s05_workers_not_meeting_norms', 'value': w.s05::double, 'reason': null},
            {'code': 'a1_s07_injuries', 'value': inc.s07::double, 'reason': null},
            {'code': 'a1_s08_occupational_diseases', 'value': inc.s08::double, 'reason': null},
            {'code': 'a1_s10_staff_turnover',
             'value': hc.separations / nullif((hc.headcount_start + hc.headcount_end) / 2.0, 0),
             'reason': case when hc.headcount_start + hc.headcount_end = 0
                            then 'no active contract at period start or end: turnover undefined' end},
            {'code': 'a1_s13_ppe_provision', 'value': w.s13,
             'reason': case when w.s13 is null
                            then 'no workplace with workers at period end has a risk assessment on or before it' end},
            {'code': 'a1_e01_ppe_cost', 'value': g.e01,
             'reason': case when c.ppe is null then 'cost parameter ppe_kzt_per_year not in force on the period end' end},
            {'code': 'a1_e02_nutrition_cost', 'value': g.e02,
             'reason': case when c.milk is null or c.lpp is null or c.months is null
                            then 'cost parameter milk_kzt_per_month, lpp_kzt_per_month or months_per_year not in force on the period end' end},
            {'code': 'a1_e03_sick_leave_cost',
             'value': case when inc.days_lost = 0 then 0 else inc.days_lost * hc.mean_income_end / c.leave_div end,
             'reason': case when inc.days_lost > 0 and hc.mean_income_end is null
                            then 'days lost but no active contract at period end to price them' end},
            {'code': 'a1_e04_leave_short_week_cost', 'value': g.e04,
             'reason': case when c.leave_div is null or c.sw_frac is null or c.months is null
                            then 'cost parameter leave_day_divisor, short_week_fraction or months_per_year not in force on the period end'
                            when g.e04_unknown > 0
                            then 'partial: ' || g.e04_unknown || ' grant(s) without a known income left out' end}
        ) as kv
    from ep
    join hc using (bin, period_offset)
    join cost c using (period_offset)
    left join wp_agg w using (bin, period_offset)
    left join inc using (bin, period_offset)
    left join grants g using (bin, period_offset)
),
long as (
    select * exclude (kv), unnest(kv, recursive := true) from wide
),
valued as (
    select
        ep.bin, ep.oked_section, ep.period_offset, year(ep.period_end) as year,
        ep.period_start, ep.period_end,
        c.code as indicator_code, c.indicator_kind, c.indicator_no, c.name_ru, c.name_en, c.unit,
        c.source, c.computable, c.direction, c.efficiency_basis, c.seed_line,
        l.headcount_end, l.workplaces,
        case
            when not c.computable then null
            when not coalesce(s.available, false) then null
            else {{ stable_float('l.value') }}
        end as value,
        case
            when not c.computable then 'not computable: ' || c.not_computable_reason
            when not coalesce(s.available, false)
                then 'source ' || c.source || ' has no rows for the period'
                     || case when c.source = 'granted_guarantees' then ' (year ' || year(ep.period_end) || ')' else '' end
            when l.value is null then coalesce(l.reason, 'not defined for this enterprise')
            else l.reason
        end as value_reason
    from ep
    cross join catalogue c
    left join long l on l.bin = ep.bin and l.period_offset = ep.period_offset and l.code = c.code
    left join src s on s.period_offset = ep.period_offset and s.source = c.source
),
intensity as (
    select
        *,
        {{ stable_float("case efficiency_basis
            when 'share_of_workplaces' then value / nullif(workplaces, 0)
            when 'share_of_workers'    then value / nullif(headcount_end, 0)
            when 'per_100_workers'     then value * 100 / nullif(headcount_end, 0)
            when 'kzt_per_worker'      then value / nullif(headcount_end, 0)
            when 'share'               then value
        end") }} as intensity
    from valued
)
select
    * exclude (workplaces),
    cast(workplaces as bigint) as workplaces,
    case
        when intensity is null then null
        when max(intensity) over s = min(intensity) over s then null
        when direction = 'higher_better'
            then (intensity - min(intensity) over s) / (max(intensity) over s - min(intensity) over s)
        else (max(intensity) over s - intensity) / (max(intensity) over s - min(intensity) over s)
    end as z
from intensity
window s as (partition by oked_section, indicator_code)
