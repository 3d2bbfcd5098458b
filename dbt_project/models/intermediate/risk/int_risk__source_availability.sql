{#- Which extracts hold any row (domain.md §6: a missing source drops its indicators and
    renormalises the weights). A source is available when its staging model has rows. -#}
{%- set sources = {
    'enterprises': 'stg_registry__enterprises', 'employees': 'stg_hr__employees',
    'payroll': 'stg_hr__payroll', 'attestations': 'stg_otib__attestations',
    'risk_assessments': 'stg_otib__risk_assessments', 'incidents': 'stg_otib__incidents',
    'checklists': 'stg_otib__checklists', 'granted_guarantees': 'stg_employer__granted_guarantees',
    'collective_agreements': 'stg_employer__collective_agreements',
    'complaints': 'stg_inspection__complaints', 'inspections': 'stg_inspection__inspections'} -%}
{%- for src, model in sources.items() %}
select '{{ src }}' as source, (select count(*) from {{ ref(model) }}) as source_rows,
       (select count(*) from {{ ref(model) }}) > 0 as available
{% if not loop.last %}union all{% endif %}
{%- endfor %}
