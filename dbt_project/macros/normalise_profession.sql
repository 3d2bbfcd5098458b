{#- Profession comparison key (docs/law_and_models.md §4, seeds/reference): case-insensitive, trimmed,
    `ё` = `е`, inner runs of whitespace collapsed. -#}
{% macro normalise_profession(expr) -%}
regexp_replace(replace(lower(trim({{ expr }})), 'ё', 'е'), '\s+', ' ', 'g')
{%- endmacro %}
