select
    h.workplace_id,
    h.bin,
    e.region_code,
    e.oked_section,
    h.workers_harmful,
    h.class_rank as workplace_class_rank,
    f.factor,
    f.exposure_group,
    f.official_group,
    f.factor_class,
    c.class_rank as factor_class_rank
from {{ ref('int_risk__workplace_headcount') }} as h
inner join {{ ref('stg_registry__enterprises') }} as e
    on e.bin = h.bin
inner join {{ ref('workplace_factors') }} as f
    on f.workplace_id = h.workplace_id
    and f.is_harmful
inner join {{ in_force(ref('condition_classes')) }} as c
    on c."class" = f.factor_class
where h.workers_harmful > 0
