{#- marts.list_profession_ambiguities: workplaces whose profession matches more than one
    List entry in force on as_of (docs/law_and_models.md §3 hazard: professions duplicated across lists,
    the monograph; §4: the common-professions fallback never picks silently), with the
    entries it matches and what the warehouse did about it. One row per workplace. -#}
select
    a.workplace_id,
    a.bin,
    a.profession,
    a.list_entry_code_given,
    cast(a.n_matching_entries as bigint) as n_matching_entries,
    cast(a.n_matching_common_entries as bigint) as n_matching_common_entries,
    a.matching_entries,
    a.consequence,
    {{ as_of_date() }} as as_of
from {{ ref('int_guarantees__list_profession_ambiguities') }} as a
