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
