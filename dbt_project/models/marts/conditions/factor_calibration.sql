{#- marts.factor_calibration (docs/design.md, published interface): our factor mix beside the official
    figures of the dominant harmful factors (docs/law_and_models.md §8), as marts.region_calibration does
    for regions. Per official group of factors: the workers in confirmed harmful conditions on
    as_of exposed to at least one factor of the group at class 3.1 or above, each worker once per
    group; their share of all workers in confirmed harmful conditions; the official share in
    force on as_of; the difference in percentage points. A group with no official figure in
    force on as_of has an empty official share (marts.parameters_not_in_force says when one
    takes effect). -#}
with exposure as (
    select * from {{ ref('int_risk__harmful_factor_exposure') }}
),

official as (
    select official_group, official_share, stat_year from {{ in_force(ref('official_factor_mix')) }}
),

groups as (
    select official_group from official
    union
    select official_group from {{ in_force(ref('factors')) }} where official_group is not null
),

exposed as (
    select official_group, sum(workers) as workers
    from (select distinct workplace_id, official_group, workers_harmful as workers from exposure) as x
    group by official_group
),

total as (
    select sum(workers) as workers
    from (select distinct workplace_id, workers_harmful as workers from exposure) as x
)

select
    g.official_group,
    cast(o.stat_year as integer) as stat_year,
    cast(o.official_share as double) as official_share,
    cast(coalesce(x.workers, 0) as bigint) as our_workers_exposed,
    cast(coalesce(t.workers, 0) as bigint) as our_workers_harmful,
    cast(coalesce(x.workers, 0) / nullif(t.workers, 0) as double) as our_share,
    cast(100 * (coalesce(x.workers, 0) / nullif(t.workers, 0) - o.official_share) as double) as difference_pp,
    {{ as_of_date() }} as as_of
from groups as g
left join official as o
    on o.official_group = g.official_group
left join exposed as x
    on x.official_group = g.official_group
cross join total as t
