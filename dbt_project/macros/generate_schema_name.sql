{#- Schemas are the layer names of the published interface (docs/design.md): staging, intermediate, marts, reference,
    not dbt's default "<target>_<custom>" prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
