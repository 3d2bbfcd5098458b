{{ config(materialized='view') }}
with assignments as (
    select
        worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
        legal_basis, evidence, cast(as_of as date) as as_of
    from {{ ref('int_guarantees__assignments_current_law') }}
    union all
    select
        worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
        legal_basis, evidence, cast(as_of as date) as as_of
    from {{ ref('int_guarantees__assignments_risk_model') }}
)

select a.*, coalesce(e.status = 'liquidated', false) as enterprise_liquidated
from assignments as a
left join {{ ref('stg_registry__enterprises') }} as e
    on e.bin = a.bin
