{#- Assignments under the proposed risk-oriented model (docs/law_and_models.md §5, the monograph,
    2395-2402): the guarantees of the policy scale (seeds/policy/risk_model_scale, in force
    on as_of) for the workplace's R_ind level. A workplace with no risk assessment gets none
    under this regime (the model starts from the ОПР).
    - Additional leave prorates as under the law (docs/law_and_models.md §10): over the days of
      the calendar year of as_of the worker worked at the workplace
      (int_guarantees__worked_periods: concurrent contracts count a day once), Σ over the
      workplace's assessment periods (int_risk__assessments, each until the next) of scale
      days at that period's level x days worked in it / days in the year, rounded half up;
      one row per worker and workplace.
    - Every other guarantee: contracts active on as_of, at the level of the latest
      assessment (int_risk__workplace_individual_risk).
    Same columns as int_guarantees__assignments_current_law, regime = 'risk_model'. -#}
{%- set as_of = as_of_date() %}
with scale as (
    select * from {{ in_force(ref('risk_model_scale')) }}
),

policy_basis as (
    select cast('risk-oriented model (the monograph); policy scale valid from '
                || strftime(min(valid_from), '%Y-%m-%d') as varchar) as legal_basis
    from scale
),

active as (
    select worker_key, bin, workplace_id, max(monthly_income) as monthly_income
    from {{ ref('stg_hr__employees') }}
    where start_date <= {{ as_of }}
      and (end_date is null or end_date >= {{ as_of }})
    group by all
),

on_as_of as (
    select
        a.worker_key,
        a.bin,
        a.workplace_id,
        s.guarantee,
        cast(case when s.unit = 'percent_of_income' then round(a.monthly_income * s.volume / 100, 2)
                  else s.volume end as double) as volume,
        case when s.unit = 'percent_of_income' then 'kzt_per_month' else s.unit end as unit,
        cast('R_ind ' || cast(round(r.r_ind, 4) as varchar) || ' (' || r.risk_level || ', ОПР of '
             || strftime(r.assessed_on, '%Y-%m-%d') || ')' as varchar) as evidence
    from active a
    join {{ ref('int_risk__workplace_individual_risk') }} r using (workplace_id)
    join scale s on s.risk_level = r.risk_level
    where s.guarantee <> 'additional_leave'
),

leave_segments as (
    select
        w.worker_key,
        w.bin,
        w.workplace_id,
        w.contract_ids,
        w.days_in_year,
        r.risk_level,
        cast(s.volume as bigint) as level_days,
        greatest(w.period_start, r.assessed_on) as segment_start,
        least(w.period_end, coalesce(cast(r.next_assessed_on - interval 1 day as date), w.year_end)) as segment_end
    from {{ ref('int_guarantees__worked_periods') }} w
    join {{ ref('int_risk__assessments') }} r using (workplace_id)
    join scale s on s.risk_level = r.risk_level and s.guarantee = 'additional_leave'
),

leave as (
    select
        worker_key,
        bin,
        workplace_id,
        any_value(days_in_year) as days_in_year,
        sum(level_days * (datediff('day', segment_start, segment_end) + 1)) as level_day_days,
        string_agg(strftime(segment_start, '%Y-%m-%d') || '..' || strftime(segment_end, '%Y-%m-%d')
                   || ' ' || risk_level || ' ' || level_days || ' days', ', ' order by segment_start) as periods,
        string_agg(distinct contract_ids, ', ' order by contract_ids) as contract_ids
    from leave_segments
    where segment_start <= segment_end
    group by worker_key, bin, workplace_id
),

prorated as (
    select
        worker_key,
        bin,
        workplace_id,
        'additional_leave' as guarantee,
        cast((2 * level_day_days + days_in_year) // (2 * days_in_year) as double) as volume,
        'days' as unit,
        cast('R_ind level over the year: ' || periods || '; ' || level_day_days || ' level-days / '
             || days_in_year || ' days, contract(s) ' || contract_ids as varchar) as evidence
    from leave
    where (2 * level_day_days + days_in_year) // (2 * days_in_year) > 0
)

select
    x.worker_key,
    x.bin,
    x.workplace_id,
    x.guarantee,
    cast('risk_model' as varchar) as regime,
    x.volume,
    x.unit,
    b.legal_basis,
    x.evidence,
    {{ as_of }} as as_of
from (select * from on_as_of union all select * from prorated) as x
cross join policy_basis as b
