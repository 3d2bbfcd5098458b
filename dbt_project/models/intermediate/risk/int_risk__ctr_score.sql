with cutoffs as (
    select level, min_percentile_rank from {{ in_force(ref('ctr_level_percentiles')) }}
),

s as (
    select
        bin,
        round(100 * cast({{ exact_sum('weight * risk_value', 12) }} filter (where available) as double)
              / nullif(cast({{ exact_sum('weight', 12) }} filter (where available) as double), 0), 10) as ctr_score,
        round(cast(coalesce({{ exact_sum('weight', 12) }} filter (where available), 0) as double)
              / cast({{ exact_sum('weight', 12) }} as double), 10) as ctr_weight_covered,
        count(*) filter (where available) as indicators_available,
        count(*) as indicators_total
    from {{ ref('int_risk__indicators') }}
    group by bin
),

ranked as (
    select bin, percent_rank() over (order by ctr_score) as ctr_percentile_rank
    from s
    where ctr_score is not null
)

select s.*, r.ctr_percentile_rank, c.level as ctr_level
from s
left join ranked as r using (bin)
left join cutoffs as c
    on c.min_percentile_rank <= r.ctr_percentile_rank
qualify row_number() over (partition by s.bin order by c.min_percentile_rank desc nulls last) = 1
