{#- What is owed as of var('as_of') under both regimes, in one shape: today's law
    (domain.md §4) and the risk-oriented model (§5). marts.guarantee_assignments publishes
    it; int_guarantees__assignment_versions keeps its history. A view: both read it once. -#}
{{ config(materialized='view') }}
select
    worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
    legal_basis, evidence, cast(as_of as date) as as_of
from {{ ref('int_guarantees__assignments_current_law') }}
union all
select
    worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
    legal_basis, evidence, cast(as_of as date) as as_of
from {{ ref('int_guarantees__assignments_risk_model') }}
