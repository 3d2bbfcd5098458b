{#- Assignments under the proposed risk-oriented model (domain.md §5, seed:2191-2206,
    2395-2402): for every contract active on as_of, the guarantees of the policy scale
    (seeds/policy/risk_model_scale) for its workplace's R_ind level. A workplace with no
    risk assessment gets none under this regime (the model starts from the ОПР).
    Same columns as int_guarantees__assignments_current_law, regime = 'risk_model'. -#}
with scale as (
    select * from {{ ref('risk_model_scale') }}
    where valid_from <= cast('{{ var("as_of") }}' as date)
    qualify valid_from = max(valid_from) over (partition by risk_level, guarantee)
),
active as (
    select worker_key, bin, workplace_id, max(monthly_income) as monthly_income
    from {{ ref('stg_hr__employees') }}
    where start_date <= cast('{{ var("as_of") }}' as date)
      and (end_date is null or end_date >= cast('{{ var("as_of") }}' as date))
    group by all
)
select
    a.worker_key,
    a.bin,
    a.workplace_id,
    s.guarantee,
    cast('risk_model' as varchar) as regime,
    cast(case when s.unit = 'percent_of_income' then round(a.monthly_income * s.volume / 100, 2)
              else s.volume end as double) as volume,
    case when s.unit = 'percent_of_income' then 'kzt_per_month' else s.unit end as unit,
    cast('risk-oriented model (monograph seed:1962-2037, 2138-2206); policy scale valid from '
         || strftime(s.valid_from, '%Y-%m-%d') as varchar) as legal_basis,
    cast('R_ind ' || cast(round(r.r_ind, 4) as varchar) || ' (' || r.risk_level || ', ОПР of '
         || strftime(r.assessed_on, '%Y-%m-%d') || ')' as varchar) as evidence,
    cast('{{ var("as_of") }}' as date) as as_of
from active a
join {{ ref('int_risk__workplace_individual_risk') }} r using (workplace_id)
join scale s on s.risk_level = r.risk_level
