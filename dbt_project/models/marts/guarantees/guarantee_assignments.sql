{#- marts.guarantee_assignments (contracts/outputs.md): one row per worker, workplace, guarantee
    and regime owed as of var('as_of'): today's law (domain.md §4) and the risk-oriented model (§5). -#}
select
    worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
    legal_basis, evidence, cast(as_of as date) as as_of
from {{ ref('int_guarantees__assignments_current_law') }}
union all
select
    worker_key, bin, workplace_id, guarantee, regime, cast(volume as double) as volume, unit,
    legal_basis, evidence, cast(as_of as date) as as_of
from {{ ref('int_guarantees__assignments_risk_model') }}
