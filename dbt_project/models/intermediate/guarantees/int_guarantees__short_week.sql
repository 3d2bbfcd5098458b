with rule as (
    select * from {{ in_force(ref('guarantee_rules')) }}
    where guarantee = 'short_week'
)

select
    w.worker_key,
    w.bin,
    w.workplace_id,
    r.guarantee,
    'current_law' as regime,
    cast(w.short_week_hours as double) as volume,
    r.unit,
    r.legal_basis,
    w.short_week_hours || ' h/week per ' || w.base_evidence as evidence,
    w.as_of,
    w.list_entry_code,
    w.attestation_id
from {{ ref('int_guarantees__active_workers') }} as w
cross join rule as r
where w.list_applies
  and w.short_week_hours is not null
