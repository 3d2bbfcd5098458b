{#- Rows sharing the same `partition_by` columns have non-overlapping validity periods
    [valid_from, valid_to) (an empty valid_to is open-ended), so at most one version of a
    key is in force on any day (macro in_force). An empty partition_by: the whole seed is
    one key (e.g. a single parameter row). -#}
{% test no_overlapping_validity(model, partition_by=[], valid_from='valid_from', valid_to='valid_to') %}
with periods as (
    select
        {% for c in partition_by %}{{ c }}, {% endfor %}
        {{ valid_from }} as vf,
        coalesce({{ valid_to }}, date '9999-12-31') as vt,
        row_number() over () as rid
    from {{ model }}
)
select a.*
from periods as a
join periods as b
  on {% for c in partition_by %}a.{{ c }} is not distinct from b.{{ c }} and {% endfor %}a.rid < b.rid
 and a.vf < b.vt and b.vf < a.vt
{% endtest %}
