with rule as (
    select * from {{ in_force(ref('guarantee_rules')) }}
    where guarantee = 'oppv'
)

select
    w.worker_key,
    w.bin,
    w.workplace_id,
    r.guarantee,
    'current_law' as regime,
    round(w.monthly_income * r.rate, 2) as volume,
    r.unit,
    r.legal_basis,
    (r.rate * 100) || '% of monthly income ' || w.monthly_income || ' KZT; ' || w.base_evidence as evidence,
    w.as_of,
    w.list_entry_code,
    w.attestation_id
from {{ ref('int_guarantees__active_workers') }} as w
cross join rule as r
where w.list_applies
  and w.oppv
  and w.monthly_income is not null
