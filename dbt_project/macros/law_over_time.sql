{#- Law over time (docs/law_and_models.md §10, "As of a past date"): everything is computed for one date,
    var('as_of'), and every rule, reference, scoring or policy row is taken as the version
    in force on a date. These are the only places that say how (documented in _macros.yml). -#}

{% macro as_of_date() -%}
    cast('{{ var("as_of") }}' as date)
{%- endmacro %}

{% macro in_force_on(day=none, alias=none) -%}
    {%- set p = (alias ~ '.') if alias else '' -%}
    {%- set d = day if day is not none else as_of_date() -%}
    ({{ p }}valid_from <= {{ d }} and ({{ p }}valid_to is null or {{ d }} < {{ p }}valid_to))
{%- endmacro %}

{% macro in_force(relation, day=none) -%}
    (select * from {{ relation }} where {{ in_force_on(day) }})
{%- endmacro %}

{% macro values_in_force(relation, names, key='parameter', value='value') -%}
    (select
    {%- for alias, name in names.items() %}
        max({{ value }}) filter (where {{ key }} = '{{ name }}') as {{ alias }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ in_force(relation) }})
{%- endmacro %}
