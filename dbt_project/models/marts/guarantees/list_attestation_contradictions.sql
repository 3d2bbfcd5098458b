{#- marts.list_attestation_contradictions: workplaces where the List and the attestation
    disagree, as of var('as_of') (docs/law_and_models.md §4):
    - acceptable_attestation_on_list: the workplace's profession is on the List but a valid act
      says acceptable (the employer may restore 40 h and drop the List guarantees; no List
      guarantee is assigned) — list_applicability.contradiction_if_on_list;
    - harmful_not_on_list: confirmed harmful with no List entry (PPE/milk only; no leave,
      short week, supplement or ОППВ);
    - ambiguous_list_profession: the profession matches several common-section entries, none used;
    - unknown_list_entry: the workplace names a List code not in force on as_of. -#}
{%- set as_of = as_of_date() %}
with applicability as (
    select * from {{ in_force(ref('list_applicability')) }}
),

workers as (
    select workplace_id, count(distinct worker_key) as workers_active
    from {{ ref('int_guarantees__active_workers') }}
    group by workplace_id
),

w as (
    select
        s.workplace_id,
        s.bin,
        s.profession,
        s.attestation_status,
        s.attestation_id,
        s.attestation_order_date,
        s.workplace_class,
        s.harmful_factors,
        r.resolution,
        r.list_entry_code_given,
        r.list_entry_code,
        r.list_section,
        r.common_matched_codes,
        coalesce(a.contradiction_if_on_list, false) as contradiction_if_on_list
    from {{ ref('int_conditions__attestation_status') }} as s
    left join {{ ref('int_guarantees__list_resolution') }} as r
        on r.workplace_id = s.workplace_id
    left join applicability as a
        on a.attestation_status = s.attestation_status
),

findings as (
    select *,
        case
            when contradiction_if_on_list and list_entry_code is not null then 'acceptable_attestation_on_list'
            when attestation_status = 'confirmed_harmful' and list_entry_code is null then 'harmful_not_on_list'
        end as finding_1,
        case
            when resolution = 'ambiguous_common_profession' then 'ambiguous_list_profession'
            when resolution = 'unknown_list_entry' then 'unknown_list_entry'
        end as finding_2
    from w
),

unpivoted as (
    select *, finding_1 as finding from findings where finding_1 is not null
    union all
    select *, finding_2 as finding from findings where finding_2 is not null
)

select
    u.workplace_id,
    u.bin,
    u.finding,
    u.profession,
    u.attestation_status,
    u.attestation_id,
    u.attestation_order_date,
    u.workplace_class,
    u.harmful_factors,
    coalesce(u.list_entry_code, u.list_entry_code_given) as list_entry_code,
    u.list_section,
    nullif(u.common_matched_codes, '') as matched_list_entries,
    cast(coalesce(k.workers_active, 0) as bigint) as workers_active,
    {{ as_of }} as as_of
from unpivoted as u
left join workers as k
    on k.workplace_id = u.workplace_id
