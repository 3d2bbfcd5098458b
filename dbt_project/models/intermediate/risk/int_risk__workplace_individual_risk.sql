{#- Individual risk per workplace (docs/law_and_models.md §5, formula 4): R_ind and level of the
    workplace's latest risk assessment with assessed_on <= as_of (int_risk__assessments). -#}
select workplace_id, bin, assessed_on, r_ind, risk_level, harm, injury, equipment, ppe, morbidity
from {{ ref('int_risk__assessments') }}
where next_assessed_on is null
