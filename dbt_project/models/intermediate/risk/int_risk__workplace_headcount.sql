with counted as (
    select
        w.workplace_id,
        w.bin,
        w.unit,
        count(e.contract_id) as workers
    from {{ ref('stg_hr__workplaces') }} w
    left join {{ ref('stg_hr__employees') }} e
      on e.workplace_id = w.workplace_id
     and e.bin = w.bin
     and e.start_date <= {{ as_of_date() }}
     and (e.end_date is null or e.end_date >= {{ as_of_date() }})
    group by all
)

select
    c.*,
    s.attestation_status,
    s.workplace_class,
    s.class_rank,
    case when s.attestation_status = 'confirmed_harmful' then c.workers else 0 end as workers_harmful,
    case when s.attestation_status = 'not_attested' then c.workers else 0 end as workers_not_attested
from counted as c
left join {{ ref('int_conditions__attestation_status') }} as s
    on s.workplace_id = c.workplace_id
