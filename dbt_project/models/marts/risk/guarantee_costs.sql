{#- marts.guarantee_costs (docs/law_and_models.md §7): what each regime's guarantees cost a year, per
    enterprise (with its OKED section and region for rolling up), regime and guarantee.
    Leave day = monthly income / 29.3; short week = 4/40 of the wage; supplement = wage ×
    percent; ОППВ = 5% of income (the assignment's KZT a month); milk, ЛПП, PPE are
    parameters (seeds/policy/cost_parameters, in force on as_of). A cost that cannot be
    computed — a supplement without an amount (no collective agreement), a price not in
    force on as_of (the milk, ЛПП and PPE prices are known from 2024) — is NULL, counted in
    workers_cost_unknown and named in cost_unknown_reason, never 0. -#}
with p as (
    select * from {{ values_in_force(ref('cost_parameters'), {
        'leave_div': 'leave_day_divisor', 'sw_frac': 'short_week_fraction',
        'milk': 'milk_kzt_per_month', 'lpp': 'lpp_kzt_per_month', 'ppe': 'ppe_kzt_per_year',
        'months': 'months_per_year'}) }}
),
a as (
    select worker_key, bin, workplace_id, guarantee, regime, volume, unit
    from {{ ref('int_guarantees__assignments_current_law') }}
    union all
    select worker_key, bin, workplace_id, guarantee, regime, volume, unit
    from {{ ref('int_guarantees__assignments_risk_model') }}
),
income as (
    select worker_key, bin, workplace_id, max(monthly_income) as monthly_income
    from {{ ref('stg_hr__employees') }}
    group by all
),
costed as (
    select
        a.*,
        i.monthly_income,
        case a.guarantee
            when 'additional_leave'      then a.volume * i.monthly_income / p.leave_div
            when 'short_week'            then p.sw_frac * i.monthly_income * p.months
            when 'pay_supplement'        then i.monthly_income * a.volume / 100 * p.months
            when 'oppv'                  then a.volume * p.months
            when 'milk'                  then p.milk * p.months
            when 'therapeutic_nutrition' then p.lpp * p.months
            when 'ppe'                   then p.ppe
        end as cost_kzt_year,
        case
            when a.guarantee = 'additional_leave' and p.leave_div is null then 'cost parameter leave_day_divisor not in force on as_of'
            when a.guarantee = 'short_week' and (p.sw_frac is null or p.months is null) then 'cost parameter short_week_fraction or months_per_year not in force on as_of'
            when a.guarantee in ('pay_supplement', 'oppv') and p.months is null then 'cost parameter months_per_year not in force on as_of'
            when a.guarantee = 'milk' and (p.milk is null or p.months is null) then 'cost parameter milk_kzt_per_month not in force on as_of'
            when a.guarantee = 'therapeutic_nutrition' and (p.lpp is null or p.months is null) then 'cost parameter lpp_kzt_per_month not in force on as_of'
            when a.guarantee = 'ppe' and p.ppe is null then 'cost parameter ppe_kzt_per_year not in force on as_of'
            when a.guarantee = 'pay_supplement' and a.volume is null then 'supplement percent unknown (no collective agreement in force)'
            when a.guarantee in ('additional_leave', 'short_week', 'pay_supplement') and i.monthly_income is null then 'monthly income unknown'
        end as cost_unknown_reason
    from a
    cross join p
    left join income i using (worker_key, bin, workplace_id)
)
select
    c.bin,
    e.oked_section,
    e.region_code,
    c.regime,
    c.guarantee,
    count(distinct c.worker_key) as workers,
    count(*) filter (where c.cost_kzt_year is null) as workers_cost_unknown,
    cast(round(coalesce({{ exact_sum('c.cost_kzt_year') }}, 0), 2) as double) as cost_kzt_year,
    {{ as_of_date() }} as as_of,
    string_agg(distinct c.cost_unknown_reason, '; ' order by c.cost_unknown_reason) as cost_unknown_reason
from costed c
join {{ ref('stg_registry__enterprises') }} e using (bin)
group by all
