{#- marts.region_risk (contracts/outputs.md): per region: enterprises by risk level, workers
    (contracts active on as_of), workers in harmful conditions (workplace class >= 3.1),
    their share, injuries and fatalities over the 12 months up to as_of, mean scores. -#}
with x as (
    select * from {{ ref('int_risk__enterprise_map_facts') }}
)
select
    x.region_code as region,
    max(r.name_en) as region_name,
    {{ risk_map_measures() }}
from x
left join {{ ref('regions') }} r on r.code = x.region_code
group by all
