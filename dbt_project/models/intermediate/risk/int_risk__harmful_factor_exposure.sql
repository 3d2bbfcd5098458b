{#- Who is exposed to what, on as_of: one row per workplace confirmed harmful on as_of that has
    workers in harmful conditions and per factor of its act at class 3.1 or above, with those
    workers (int_risk__workplace_headcount.workers_harmful: the one definition of workers in
    harmful conditions, docs/law_and_models.md §10), the workplace's class, its enterprise's region and
    OKED section. A confirmed harmful workplace always has such a factor (its class is the highest
    factor class, escalated only by factors at 3.1 or above), so its workers are all here.
    marts.factor_exposure and marts.factor_calibration count each worker once per group of
    these rows. -#}
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
