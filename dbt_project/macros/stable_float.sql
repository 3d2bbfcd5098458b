{#- Parallel aggregation sums doubles in a different order on each run, so the last bits
    differ; rounding to 9 decimals makes a rerun on the same input give the same rows
    (and the same ranking ties) for shares, rates and scores, far below any precision
    they carry. It cannot do that for amounts in KZT (1e6..1e10: the noise sits above
    the 9th decimal): aggregate those with exact_sum / exact_avg instead. -#}
{% macro stable_float(expr) -%}
    round(({{ expr }})::double, 9)
{%- endmacro %}

{#- Aggregates that are the same on every run whatever order the rows arrive in: each
    term is rounded to `scale` decimals (far below a tenge) and added as a DECIMAL, which
    DuckDB adds exactly. For money and other large magnitudes. Both are plain aggregate
    calls, so FILTER (WHERE …) may follow; exact_sum is a DECIMAL, exact_avg a DOUBLE. -#}
{% macro exact_sum(expr, scale=6) -%}
    sum(cast(({{ expr }}) as decimal(38, {{ scale }})))
{%- endmacro %}

{% macro exact_avg(expr, scale=6) -%}
    avg(cast(({{ expr }}) as decimal(38, {{ scale }})))
{%- endmacro %}
