{#- marts.enterprise_risk_factors: per enterprise, the indicators that contributed most to
    ctr_score (docs/law_and_models.md §6: an inspector must see why). contribution = the indicator's
    share of ctr_score points: 100 × weight × risk_value / Σ available weight. Top N by
    contribution (N in seeds/scoring/ctr_params: top_factors). -#}
with n as (
    select cast(value as integer) as top_n from {{ in_force(ref('ctr_params')) }}
    where parameter = 'top_factors'
),
i as (
    select
        i.*,
        {{ stable_float('100 * i.weight * i.risk_value / sum(i.weight) filter (where i.available) over (partition by i.bin)') }}
            as contribution
    from {{ ref('int_risk__indicators') }} i
    where i.available
),
ranked as (
    select *, row_number() over (partition by bin order by contribution desc, indicator_code) as factor_rank
    from i
    where contribution > 0
)
select
    r.bin,
    cast(r.factor_rank as integer) as factor_rank,
    r.indicator_code,
    r.indicator_group,
    c.name_ru,
    c.name_en,
    r.source,
    cast(r.raw_value as double) as raw_value,
    cast(r.normalised_value as double) as normalised_value,
    cast(r.weight as double) as weight,
    cast(r.contribution as double) as contribution,
    {{ as_of_date() }} as as_of
from ranked r
join {{ in_force(ref('ctr_indicators')) }} c on c.code = r.indicator_code
cross join n
where r.factor_rank <= n.top_n
