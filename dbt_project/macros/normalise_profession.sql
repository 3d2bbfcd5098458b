{#- Profession comparison key (domain.md §4, reference.md): case-insensitive, trimmed,
    `ё` = `е`, inner runs of whitespace collapsed. -#}
{% macro normalise_profession(expr) -%}
regexp_replace(replace(lower(trim({{ expr }})), 'ё', 'е'), '\s+', ' ', 'g')
{%- endmacro %}
