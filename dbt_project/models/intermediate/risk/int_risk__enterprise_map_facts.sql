{#- One row per enterprise of the registry snapshot in force on as_of with what the map
    marts add up (marts.region_risk, marts.oked_risk): whether it counts as an enterprise
    (scored: active; a liquidated one does not, docs/law_and_models.md §10), its scores and level, workers
    (contracts active on as_of), workers in harmful conditions and at not-attested
    workplaces (int_risk__workplace_headcount: the one definition), injuries, fatalities and
    occupational diseases over the 12 months up to as_of. -#}
with ent as (
    select bin, region_code, oked_section, scored, headcount as workers,
           risk_score, risk_level, ctr_score, ctr_level
    from {{ ref('enterprise_risk') }}
),
exposure as (
    select bin, sum(workers_harmful) as workers_harmful, sum(workers_not_attested) as workers_not_attested
    from {{ ref('int_risk__workplace_headcount') }}
    group by bin
),
inc as (
    select bin,
        count(*) filter (where kind in ('injury', 'fatal')) as injuries,
        count(*) filter (where kind = 'fatal') as fatalities,
        count(*) filter (where kind = 'occupational_disease') as diseases
    from {{ ref('stg_otib__incidents') }}
    where occurred_on <= {{ as_of_date() }}
      and occurred_on > {{ as_of_date() }} - interval 12 month
    group by bin
)
select
    e.*,
    coalesce(x.workers_harmful, 0) as workers_harmful,
    coalesce(x.workers_not_attested, 0) as workers_not_attested,
    coalesce(i.injuries, 0) as injuries,
    coalesce(i.fatalities, 0) as fatalities,
    coalesce(i.diseases, 0) as diseases
from ent e
left join exposure x using (bin)
left join inc i using (bin)
