{#- Enterprise headcount on as_of = contracts active on as_of (docs/law_and_models.md §5 decision), and
    whether the enterprise is scored: its status in the registry snapshot in force on as_of
    is active. A liquidated enterprise gets no score or level and is not counted as an
    enterprise on the map (docs/law_and_models.md §10); its contracts still count as workers. -#}
select
    ent.bin,
    ent.oked_section,
    ent.region_code,
    ent.status,
    coalesce(ent.status = 'active', false) as scored,
    count(e.contract_id) as headcount
from {{ ref('stg_registry__enterprises') }} ent
left join {{ ref('stg_hr__employees') }} e
  on e.bin = ent.bin
 and e.start_date <= {{ as_of_date() }}
 and (e.end_date is null or e.end_date >= {{ as_of_date() }})
group by all
