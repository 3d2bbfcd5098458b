{#- Enterprise headcount on as_of = contracts active on as_of (domain.md §5 decision). -#}
select
    ent.bin,
    ent.oked_section,
    ent.region_code,
    count(e.contract_id) as headcount
from {{ ref('stg_registry__enterprises') }} ent
left join {{ ref('stg_hr__employees') }} e
  on e.bin = ent.bin
 and e.start_date <= cast('{{ var("as_of") }}' as date)
 and (e.end_date is null or e.end_date >= cast('{{ var("as_of") }}' as date))
group by all
