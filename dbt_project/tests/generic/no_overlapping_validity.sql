{#- The validity ranges of a dated table (every seed: rules, references, scoring, policy):
    every row has a valid_from, its valid_to is empty (still in force) or after it, and rows
    sharing the same `partition_by` columns have non-overlapping periods
    [valid_from, valid_to) — so at most one version of a key is in force on any day (macro
    in_force). An empty partition_by: the whole table is one key (e.g. a single parameter). -#}
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
union all
select *
from periods
where vf is null or vt <= vf
{% endtest %}
