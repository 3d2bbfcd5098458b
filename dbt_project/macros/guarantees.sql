{#- The shape every rule of today's law hands int_guarantees__assignments_current_law
    (documented in _macros.yml). -#}

{% macro guarantee_rule(guarantees) -%}
    (select * from {{ in_force(ref('guarantee_rules')) }}
     where guarantee in ({% for g in guarantees %}'{{ g }}'{{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro owed_columns(volume, evidence, w='w', r='r') -%}
    {{ w }}.worker_key,
    {{ w }}.bin,
    {{ w }}.workplace_id,
    {{ r }}.guarantee,
    'current_law' as regime,
    cast({{ volume }} as double) as volume,
    {{ r }}.unit,
    {{ r }}.legal_basis,
    {{ evidence }} as evidence,
    {{ w }}.as_of,
    {{ w }}.list_entry_code,
    {{ w }}.attestation_id
{%- endmacro %}
