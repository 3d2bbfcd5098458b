select {{ owed_columns(
    volume='w.short_week_hours',
    evidence="w.short_week_hours || ' h/week per ' || w.base_evidence") }}
from {{ ref('int_guarantees__active_workers') }} as w
cross join {{ guarantee_rule(['short_week']) }} as r
where w.list_applies
  and w.short_week_hours is not null
