select
    t.workplace_id,
    t.bin,
    w.profession,
    w.list_entry,
    t.subject_to_attestation,
    t.attestation_id,
    t.attestation_order_no,
    t.attestation_order_date,
    t.attestation_valid_until,
    t.workplace_class,
    t.class_rank,
    t.is_harmful,
    t.escalation_rules,
    t.harmful_factors,
    t.class_disagreements,
    t.disagreement_factors,
    t.attestation_valid,
    t.attestation_status,
    t.not_attested_reason,
    t.as_of
from {{ ref('int_conditions__status_timeline') }} as t
inner join {{ ref('stg_hr__workplaces') }} as w
    on w.workplace_id = t.workplace_id
where (t.period_start is null or t.period_start <= t.as_of)
  and (t.period_end is null or t.as_of < t.period_end)
