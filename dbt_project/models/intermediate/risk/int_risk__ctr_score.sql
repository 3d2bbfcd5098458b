{#- ЦКТР-style score (domain.md §6): ctr_score = 100 × Σ w·risk / Σ w over the available
    indicators (a missing source drops its indicators and the weights renormalise);
    ctr_weight_covered = Σ w over available / Σ w over the catalogue; level from the
    `ctr` scale of seeds/scoring/risk_levels. -#}
with levels as (
    select level, lower_bound, upper_bound
    from {{ ref('risk_levels') }}
    where scale = 'ctr' and valid_from <= cast('{{ var("as_of") }}' as date)
    qualify valid_from = max(valid_from) over ()
),
s as (
    select
        bin,
        round(100 * sum(weight * risk_value) filter (where available)
              / nullif(sum(weight) filter (where available), 0), 10) as ctr_score,
        round(coalesce(sum(weight) filter (where available), 0) / sum(weight), 10) as ctr_weight_covered,
        count(*) filter (where available) as indicators_available,
        count(*) as indicators_total
    from {{ ref('int_risk__indicators') }}
    group by bin
)
select s.*, l.level as ctr_level
from s
left join levels l
  on s.ctr_score >= l.lower_bound and (l.upper_bound is null or s.ctr_score < l.upper_bound)
