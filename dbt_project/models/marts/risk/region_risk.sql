{#- marts.region_risk (docs/design.md, published interface): one row per region in force on as_of (20 since
    2022, zeros where a region has no enterprise; docs/law_and_models.md §10), with its names in English,
    Russian and Kazakh: scored (active) enterprises by risk level, workers (contracts active
    on as_of), workers in harmful conditions (confirmed_harmful on as_of) and their share,
    workers at not-attested workplaces, injuries and fatalities over the 12 months up to
    as_of, mean scores. -#}
with regions as (
    select code, name_en, name_ru, name_kk from {{ in_force(ref('regions')) }}
)
select
    r.code as region,
    r.name_en as region_name,
    {{ risk_map_measures() }},
    r.name_ru as region_name_ru,
    r.name_kk as region_name_kk
from regions r
left join {{ ref('int_risk__enterprise_map_facts') }} x on x.region_code = r.code
group by r.code, r.name_en, r.name_ru, r.name_kk
