{#- Every row satisfies the SQL boolean `expression` (optionally only rows matching
    `where`). At column level the column name is not substituted: write it out. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
