{#- No assignment's volume above the law's ceiling for its guarantee: max_volume of the
    rules seed in force on as_of (guarantee_rules: additional leave at most 36 days, the
    shortened week at most 36 hours; docs/law_and_models.md §4). A rule, not a literal:
    the ceiling is data, so a change of the law is a new seed row. -#}
{% test volume_within_ceiling(model, column_name, rules) %}
select a.*, r.max_volume
from {{ model }} as a
inner join {{ in_force(rules) }} as r
    on r.guarantee = a.guarantee
where r.max_volume is not null
  and a.{{ column_name }} > r.max_volume
{% endtest %}
