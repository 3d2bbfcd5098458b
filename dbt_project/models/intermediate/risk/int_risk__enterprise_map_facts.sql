{#- One row per enterprise with what the map marts add up (marts.region_risk, marts.oked_risk):
    workers (contracts active on as_of), workers in harmful conditions (workplace class
    harmful per the condition_classes seed), injuries, fatalities and occupational diseases
    over the 12 months up to as_of, with the enterprise's scores. -#}
with ent as (
    select er.*, h.headcount as workers
    from {{ ref('enterprise_risk') }} er
    join {{ ref('int_risk__enterprise_headcount') }} h using (bin)
),
harm as (
    select w.bin, sum(h.workers) as workers_harmful
    from {{ ref('workplace_conditions') }} w
    join {{ ref('int_risk__workplace_headcount') }} h using (workplace_id)
    join {{ ref('condition_classes') }} c on c."class" = w.workplace_class and c.is_harmful
      and c.valid_from <= cast('{{ var("as_of") }}' as date)
      and (c.valid_to is null or c.valid_to > cast('{{ var("as_of") }}' as date))
    group by w.bin
),
inc as (
    select bin,
        count(*) filter (where kind in ('injury', 'fatal')) as injuries,
        count(*) filter (where kind = 'fatal') as fatalities,
        count(*) filter (where kind = 'occupational_disease') as diseases
    from {{ ref('stg_otib__incidents') }}
    where occurred_on <= cast('{{ var("as_of") }}' as date)
      and occurred_on > cast('{{ var("as_of") }}' as date) - interval 12 month
    group by bin
),
x as (
    select e.*, coalesce(h.workers_harmful, 0) as workers_harmful,
           coalesce(i.injuries, 0) as injuries, coalesce(i.fatalities, 0) as fatalities,
           coalesce(i.diseases, 0) as diseases
    from ent e left join harm h using (bin) left join inc i using (bin)
)
select * from x
