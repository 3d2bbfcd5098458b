{#- Workers per workplace on as_of (domain.md §5 decision: headcount = contracts active
    on as_of, i.e. start_date <= as_of and (end_date is null or end_date >= as_of)). -#}
select
    w.workplace_id,
    w.bin,
    w.unit,
    count(e.contract_id) as workers
from {{ ref('stg_hr__workplaces') }} w
left join {{ ref('stg_hr__employees') }} e
  on e.workplace_id = w.workplace_id
 and e.bin = w.bin
 and e.start_date <= cast('{{ var("as_of") }}' as date)
 and (e.end_date is null or e.end_date >= cast('{{ var("as_of") }}' as date))
group by all
