{#- marts.factor_exposure (docs/design.md, published interface): workers in confirmed harmful conditions
    on as_of (docs/law_and_models.md §10) by exposure group × region × OKED section × class band, with
    their share of the national harmful workforce. Each worker counts once per group: a worker
    whose workplace has several factors of one group at 3.1 or above counts once, in the band of
    the highest of them; exposure_group 'all' counts each worker once, in the band of the
    workplace class (escalation included). -#}
with exposure as (
    select * from {{ ref('int_risk__harmful_factor_exposure') }}
),

bands as (
    select class_rank, class_band from {{ in_force(ref('condition_classes')) }}
),

per_workplace as (
    -- one row per workplace and group, so a worker counts once per group
    select workplace_id, region_code, oked_section, exposure_group,
           max(workers_harmful) as workers, max(factor_class_rank) as class_rank
    from exposure
    group by workplace_id, region_code, oked_section, exposure_group
    union all
    select workplace_id, region_code, oked_section, 'all',
           max(workers_harmful), max(workplace_class_rank)
    from exposure
    group by workplace_id, region_code, oked_section
),

cells as (
    select w.region_code, w.oked_section, w.exposure_group, b.class_band, sum(w.workers) as workers
    from per_workplace as w
    left join bands as b
        on b.class_rank = w.class_rank
    group by all
)

select
    exposure_group,
    region_code as region,
    oked_section,
    class_band,
    cast(workers as bigint) as workers,
    cast(workers / sum(workers) filter (where exposure_group = 'all') over () as double) as share_of_national_harmful,
    {{ as_of_date() }} as as_of
from cells
