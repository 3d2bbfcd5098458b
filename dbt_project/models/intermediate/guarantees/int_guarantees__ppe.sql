{% set evidence -%}
    case when w.attestation_guarantees then 'harmful workplace per attestation'
         else 'List entry applies (workplace not attested)' end
    || '; ' || w.base_evidence
{%- endset %}
select {{ owed_columns(volume='1', evidence=evidence) }}
from {{ ref('int_guarantees__active_workers') }} as w
cross join {{ guarantee_rule(['ppe']) }} as r
where w.attestation_guarantees or w.list_applies
