select
    code as list_entry_code,
    section,
    profession,
    {{ normalise_profession('profession') }} as profession_norm,
    cast(leave_days as integer) as leave_days,
    cast(short_week_hours as integer) as short_week_hours,
    coalesce(lower(cast(pay_increase as varchar)) in ('true', 'yes', '1'), false) as pay_increase,
    nullif(trim(cast(nutrition as varchar)), '') as nutrition,
    case when nutrition like 'lpp:%' then substr(nutrition, 5) end as lpp_ration,
    coalesce(lower(cast(oppv as varchar)) in ('true', 'yes', '1'), false) as oppv,
    coalesce(lower(cast(common as varchar)) in ('true', 'yes', '1'), false) as common,
    legal_act_code,
    valid_from,
    valid_to
from {{ in_force(ref('list_entries')) }}
