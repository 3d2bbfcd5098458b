with rule as (
    select * from {{ in_force(ref('guarantee_rules')) }}
    where guarantee = 'ppe'
)

select
    w.worker_key,
    w.bin,
    w.workplace_id,
    r.guarantee,
    'current_law' as regime,
    cast(1 as double) as volume,
    r.unit,
    r.legal_basis,
    case when w.attestation_guarantees then 'harmful workplace per attestation'
         else 'List entry applies (workplace not attested)' end
    || '; ' || w.base_evidence as evidence,
    w.as_of,
    w.list_entry_code,
    w.attestation_id
from {{ ref('int_guarantees__active_workers') }} as w
cross join rule as r
where w.attestation_guarantees or w.list_applies
