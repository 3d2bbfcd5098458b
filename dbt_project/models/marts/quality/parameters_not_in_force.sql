{#- marts.parameters_not_in_force: every rule, reference code, scoring or policy parameter
    the models use that has no version in force on as_of although one takes effect later
    (docs/law_and_models.md §10, "As of a past date": the output says so, never 0). A key whose last
    version ended before as_of was retired, not missing, and is not listed. The rows that
    needed it say why they are empty (reason and flag columns); the GX suite of this mart
    records a warning whenever it has a row. -#}
{#- seed: the columns that identify one parameter (empty: the seed is one parameter) -#}
{%- set keyed = {
    'attestation_validity': [],
    'condition_classes': ['"class"'],
    'factor_group_measures': ['factor_group'],
    'factor_class_thresholds': ['factor_group', '"class"'],
    'workplace_class_escalation': ['rule_code'],
    'list_applicability': ['attestation_status'],
    'guarantee_rules': ['guarantee'],
    'gap_reasons': ['code'],
    'r_ind_weights': ['component'],
    'risk_levels': ['scale', 'level'],
    'p2_weights': ['component'],
    'enterprise_model_params': ['parameter'],
    'ctr_params': ['parameter'],
    'ctr_indicators': ['code'],
    'ctr_sources': ['source'],
    'ctr_level_percentiles': ['level'],
    'appendix1_indicators': ['code'],
    'appendix1_params': ['parameter'],
    'cost_parameters': ['parameter'],
    'risk_model_scale': ['risk_level', 'guarantee'],
    'official_factor_mix': ['official_group']} -%}
{%- set d = as_of_date() %}
{%- for seed, key in keyed.items() %}
select
    '{{ seed }}' as seed,
    {% if key %}concat_ws(' / ', {{ key | join(', ') }}){% else %}'{{ seed }}'{% endif %} as parameter_key,
    min(valid_from) filter (where valid_from > {{ d }}) as in_force_from,
    {{ d }} as as_of
from {{ ref(seed) }}
{% if key %}group by {{ key | join(', ') }}{% endif %}
having not bool_or({{ in_force_on() }})
   and bool_or(valid_to is null or valid_to > {{ d }})
{% if not loop.last %}union all{% endif %}
{%- endfor %}
