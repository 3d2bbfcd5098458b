{#- Calibration of the warehouse against the published regional statistics
    (stat.gov.kz, stg_stat__regions; docs/law_and_models.md §8): per region, the latest published year
    <= year(as_of) beside our counts on as_of (region_risk) and the ratio ours / published.
    Our counts cover only the enterprises that report, so ratios < 1 are expected. -#}
with stat as (
    select * from {{ ref('stg_stat__regions') }}
    where year <= year({{ as_of_date() }})
    qualify year = max(year) over (partition by region)
)
select
    coalesce(s.region, r.region) as region,
    r.region_name,
    cast(s.year as integer) as stat_year,
    cast(s.workers_surveyed as bigint) as stat_workers_surveyed,
    cast(s.workers_harmful as bigint) as stat_workers_harmful,
    cast(s.injuries as bigint) as stat_injuries,
    cast(s.fatalities as bigint) as stat_fatalities,
    cast(r.workers as bigint) as our_workers,
    cast(r.workers_harmful as bigint) as our_workers_harmful,
    cast(r.injuries as bigint) as our_injuries,
    cast(r.fatalities as bigint) as our_fatalities,
    cast(r.workers / nullif(s.workers_surveyed, 0) as double) as workers_ratio,
    cast(r.workers_harmful / nullif(s.workers_harmful, 0) as double) as workers_harmful_ratio,
    cast(r.harmful_share as double) as our_harmful_share,
    cast(s.workers_harmful / nullif(s.workers_surveyed, 0) as double) as stat_harmful_share,
    {{ as_of_date() }} as as_of
from stat s
full join {{ ref('region_risk') }} r on r.region = s.region
