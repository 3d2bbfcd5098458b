select
    h.bin,
    h.unit,
    sum(h.workers) as unit_headcount,
    count(*) as workplaces,
    count(r.r_ind) as workplaces_assessed,
    coalesce(sum(h.workers) filter (where r.r_ind is not null), 0) as assessed_workers,
    cast({{ exact_sum('h.workers * r.r_ind', 12) }} filter (where r.r_ind is not null) as double)
        / nullif(sum(h.workers) filter (where r.r_ind is not null), 0) as r_unit
from {{ ref('int_risk__workplace_headcount') }} h
left join {{ ref('int_risk__workplace_individual_risk') }} r using (workplace_id)
group by all
