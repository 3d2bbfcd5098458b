with workplaces as (
    select
        workplace_id,
        bin,
        profession,
        nullif(trim(list_entry), '') as list_entry_code_given,
        {{ normalise_profession('profession') }} as profession_norm
    from {{ ref('stg_hr__workplaces') }}
),

entries as (
    select * from {{ ref('int_guarantees__list_entries') }}
)

select
    w.workplace_id,
    w.bin,
    w.profession,
    w.list_entry_code_given,
    count(*) as n_matching_entries,
    count(*) filter (where e.common) as n_matching_common_entries,
    string_agg(e.list_entry_code || ' (' || e.section || ')', '; ' order by e.list_entry_code) as matching_entries,
    case when w.list_entry_code_given is null and count(*) filter (where e.common) > 1
         then 'fallback not applied: several common-section entries'
         else 'reported only: profession appears in several List entries' end as consequence
from workplaces as w
inner join entries as e
    on e.profession_norm = w.profession_norm
group by w.workplace_id, w.bin, w.profession, w.list_entry_code_given
having count(*) > 1
