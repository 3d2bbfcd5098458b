{%- set rules = ['additional_leave', 'short_week', 'pay_supplement', 'nutrition', 'ppe', 'oppv'] %}
{%- for r in rules %}
select
    worker_key, bin, workplace_id, guarantee, regime, volume, unit, legal_basis, evidence, as_of,
    list_entry_code, attestation_id,
    '{{ "int_guarantees__" ~ r }}' as rule_model
from {{ ref('int_guarantees__' ~ r) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
