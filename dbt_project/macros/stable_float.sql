{#- Parallel aggregation sums doubles in a different order on each run, so the last bits
    differ; rounding to 9 decimals makes a rerun on the same input give the same rows
    (and the same ranking ties), far below any precision a score or a rate carries. -#}
{% macro stable_float(expr) -%}
    round(({{ expr }})::double, 9)
{%- endmacro %}
