with workplaces as (
    select
        *,
        {{ normalise_profession('profession') }} as profession_norm,
        nullif(trim(list_entry), '') as list_entry_code_given
    from {{ ref('stg_hr__workplaces') }}
),

entries as (
    select * from {{ ref('int_guarantees__list_entries') }}
),

common_matches as (
    select
        w.workplace_id,
        count(*) as n_matches,
        min(e.list_entry_code) as only_code,
        string_agg(e.list_entry_code, ', ' order by e.list_entry_code) as matched_codes
    from workplaces as w
    inner join entries as e
        on e.common
        and e.profession_norm = w.profession_norm
    where w.list_entry_code_given is null
    group by w.workplace_id
),

resolved as (
    select
        w.workplace_id,
        w.bin,
        w.profession,
        w.profession_norm,
        w.list_entry_code_given,
        case
            when w.list_entry_code_given is not null and ed.list_entry_code is not null then 'workplace_list_entry'
            when w.list_entry_code_given is not null then 'unknown_list_entry'
            when cm.n_matches = 1 then 'common_profession'
            when cm.n_matches > 1 then 'ambiguous_common_profession'
            else 'not_on_list'
        end as resolution,
        coalesce(cm.matched_codes, '') as common_matched_codes,
        case
            when w.list_entry_code_given is not null then ed.list_entry_code
            when cm.n_matches = 1 then cm.only_code
        end as list_entry_code
    from workplaces as w
    left join entries as ed
        on ed.list_entry_code = w.list_entry_code_given
    left join common_matches as cm
        on cm.workplace_id = w.workplace_id
)

select
    r.workplace_id,
    r.bin,
    r.profession,
    r.list_entry_code_given,
    r.resolution,
    r.common_matched_codes,
    r.list_entry_code,
    e.section as list_section,
    e.leave_days,
    e.short_week_hours,
    e.pay_increase,
    e.nutrition,
    e.lpp_ration,
    e.oppv,
    e.common as via_common_section
from resolved as r
left join entries as e
    on e.list_entry_code = r.list_entry_code
