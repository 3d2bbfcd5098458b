{#- marts.guarantee_assignments (docs/design.md, published interface): one row per worker, workplace, guarantee
    and regime owed as of var('as_of'): today's law (docs/law_and_models.md §4, §10) and the risk-oriented
    model (§5). enterprise_liquidated: kept for a contract still active at an enterprise the
    registry has liquidated, and flagged. -#}
select
    worker_key, bin, workplace_id, guarantee, regime, volume, unit, legal_basis, evidence, as_of,
    enterprise_liquidated
from {{ ref('int_guarantees__assignments') }}
