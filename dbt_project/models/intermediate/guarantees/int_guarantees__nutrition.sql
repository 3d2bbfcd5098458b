with rules as (
    select * from {{ guarantee_rule(['milk', 'therapeutic_nutrition']) }}
),

milk_rank as (
    select c.class_rank
    from rules as r
    inner join {{ in_force(ref('condition_classes')) }} as c
        on c."class" = r.min_factor_class
    where r.guarantee = 'milk'
),

milk_factors as (
    select
        f.attestation_id,
        f.workplace_id,
        string_agg(f.factor || ' ' || f.factor_class, ', ' order by f.class_rank desc, f.factor) as milk_factors
    from {{ ref('int_conditions__factor_classes') }} as f
    where f.milk_relevant
      and f.class_rank >= (select class_rank from milk_rank)
    group by all
),

decided as (
    select
        w.*,
        mf.milk_factors,
        case
            when w.list_applies and w.lpp_ration is not null then 'therapeutic_nutrition'
            when w.attestation_guarantees and mf.milk_factors is not null then 'milk'
            when w.list_applies and not w.attestation_guarantees and w.nutrition = 'milk' then 'milk'
        end as nutrition_guarantee
    from {{ ref('int_guarantees__active_workers') }} as w
    left join milk_factors as mf
        on mf.attestation_id = w.attestation_id
        and mf.workplace_id = w.workplace_id
)

{% set evidence -%}
    case
        when r.guarantee = 'therapeutic_nutrition'
            then 'ration ' || d.lpp_ration || ' per List'
                 || case when d.milk_factors is not null then '; replaces milk (milk-relevant factors ' || d.milk_factors || ', order 1054 p.12)' else '' end
        when d.milk_factors is not null and d.attestation_guarantees
            then 'milk-relevant factors at class >= ' || r.min_factor_class || ': ' || d.milk_factors
        else 'milk per List (workplace not attested)'
    end || '; ' || d.base_evidence
{%- endset %}
select {{ owed_columns(volume='1', evidence=evidence, w='d') }}
from decided as d
inner join rules as r
    on r.guarantee = d.nutrition_guarantee
