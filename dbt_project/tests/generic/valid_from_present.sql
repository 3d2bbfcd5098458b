{#- Parameter tables: every row has a `valid_from`, and where the model has a
    `valid_to` column it is empty or not before `valid_from`. -#}
{% test valid_from_present(model, valid_from='valid_from', valid_to='valid_to') %}
{%- set cols = [] -%}
{%- if execute -%}
  {%- set cols = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
{%- endif %}
select *
from {{ model }}
where {{ valid_from }} is null
{%- if valid_to | lower in cols %}
   or ({{ valid_to }} is not null and {{ valid_to }} < {{ valid_from }})
{%- endif %}
{% endtest %}
