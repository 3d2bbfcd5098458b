{#- marts.oked_risk (docs/design.md, published interface): per oked_section: scored (active) enterprises by
    risk level, workers (contracts active on as_of), workers in harmful conditions
    (confirmed_harmful on as_of) and their share, workers at not-attested workplaces,
    injuries and fatalities over the 12 months up to as_of, mean scores. -#}
with x as (
    select * from {{ ref('int_risk__enterprise_map_facts') }}
)
select
    x.oked_section as oked_section,
    max(o.section_name_en) as section_name,
    {{ risk_map_measures() }}
from x
-- the seed has a row per division: one name per section, or the sums multiply
left join (select section, max(section_name_en) as section_name_en from {{ in_force(ref('oked_sections')) }} group by section) o
    on o.section = x.oked_section
group by all
