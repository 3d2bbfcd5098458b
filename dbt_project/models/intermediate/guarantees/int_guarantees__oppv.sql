select {{ owed_columns(
    volume='round(w.monthly_income * r.rate, 2)',
    evidence="(r.rate * 100) || '% of monthly income ' || w.monthly_income || ' KZT; ' || w.base_evidence") }}
from {{ ref('int_guarantees__active_workers') }} as w
cross join {{ guarantee_rule(['oppv']) }} as r
where w.list_applies
  and w.oppv
  and w.monthly_income is not null
