{#- source: (staging model, effective date, end date of a period row) -#}
{%- set sources = {
    'enterprises': ['stg_registry__enterprises', none, none],
    'employees': ['stg_hr__employees', 'start_date', 'end_date'],
    'payroll': ['stg_hr__payroll', "cast(strptime(month || '-01', '%Y-%m-%d') as date)", none],
    'collective_agreements': ['stg_employer__collective_agreements', 'signed_on', none],
    'attestations': ['stg_otib__attestations', 'order_date', none],
    'risk_assessments': ['stg_otib__risk_assessments', 'assessed_on', none],
    'incidents': ['stg_otib__incidents', 'occurred_on', none],
    'checklists': ['stg_otib__checklists', 'submitted_on', none],
    'granted_guarantees': ['stg_employer__granted_guarantees', 'make_date(year, 1, 1)', none],
    'complaints': ['stg_inspection__complaints', 'received_on', none],
    'inspections': ['stg_inspection__inspections', 'inspected_on', none]} -%}
{%- set d = as_of_date() %}
with windows as (
    select source, window_months from {{ in_force(ref('ctr_sources')) }}
),

counted as (
{%- for src, spec in sources.items() %}
    {%- set model, start, stop = spec %}
    select
        '{{ src }}' as source,
        w.window_months,
        (select count(*) from {{ ref(model) }} as t
         {%- if start %}
         where {{ start }} <= {{ d }}
           and (w.window_months is null
                or {{ ('coalesce(' ~ stop ~ ', ' ~ d ~ ')') if stop else start }} > {{ d }} - to_months(w.window_months))
         {%- endif %}
        ) as source_rows
    from (select 1) as one
    left join windows as w on w.source = '{{ src }}'
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
)

select source, window_months, source_rows, source_rows > 0 as available
from counted
