{#- marts.workplace_conditions (docs/design.md, published interface): one row per workplace, its class and
    attestation status as of var('as_of') (docs/law_and_models.md §3) and its individual risk (§5). -#}
with risk as (
    select workplace_id, r_ind, risk_level, assessed_on
    from {{ ref('int_risk__workplace_individual_risk') }}
    qualify row_number() over (partition by workplace_id order by assessed_on desc) = 1
)

select
    s.workplace_id,
    s.bin,
    s.workplace_class,
    s.attestation_status,
    s.attestation_id,
    s.attestation_valid_until,
    cast(r.r_ind as double) as r_ind,
    r.risk_level,
    s.profession,
    s.subject_to_attestation,
    s.attestation_order_no,
    s.attestation_order_date,
    s.attestation_valid,
    s.not_attested_reason,
    s.escalation_rules,
    s.harmful_factors,
    coalesce(s.class_disagreements, 0) > 0 as class_disagreement,
    cast(coalesce(s.class_disagreements, 0) as integer) as class_disagreements,
    s.disagreement_factors,
    r.assessed_on as risk_assessed_on,
    s.as_of
from {{ ref('int_conditions__attestation_status') }} as s
left join risk as r
    on r.workplace_id = s.workplace_id
