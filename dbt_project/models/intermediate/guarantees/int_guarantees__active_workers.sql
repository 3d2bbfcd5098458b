select
    *,
    case when list_entry_code is not null
         then 'List entry ' || list_entry_code || ' (' || list_section || ')'
              || case when via_common_section then ', common-professions fallback' else '' end
         else 'no List entry (' || list_resolution || ')' end
    || '; attestation ' || attestation_status
    || coalesce(' (act ' || attestation_id || ' of ' || attestation_order_date || ', class ' || workplace_class
                || coalesce(', factors >= 3.1: ' || harmful_factors, '') || ')', '')
    || coalesce(' [' || not_attested_reason || ']', '')
    || '; contract ' || contract_id as base_evidence
from {{ ref('int_guarantees__contract_facts') }}
where active_on_as_of
qualify row_number() over (
    partition by worker_key, workplace_id order by start_date desc, contract_id desc
) = 1
