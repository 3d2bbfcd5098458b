{#- What is owed as of var('as_of') under both regimes, in one shape: today's law
    (docs/law_and_models.md §4) and the risk-oriented model (§5). marts.guarantee_assignments publishes
    it; int_guarantees__assignment_versions keeps its history. enterprise_liquidated flags
    the guarantees of contracts still active at an enterprise the registry snapshot in force
    on as_of has liquidated: they are kept (docs/law_and_models.md §10). A view: both read it once. -#}
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
