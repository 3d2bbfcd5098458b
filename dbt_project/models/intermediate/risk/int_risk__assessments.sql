{#- Individual risk of every risk assessment (ОПР) known on as_of, docs/law_and_models.md §5 formula 4
    (the monograph):
      R_ind = 0.7*(В+Т)/2 + 0.2*(ОБ+СИЗ)/2 + 0.1*З
    with the coefficients of seeds/scoring/r_ind_weights and the `workplace` level scale of
    seeds/scoring/risk_levels in force on as_of. Each assessment holds from its date until
    the workplace's next one (next_assessed_on, exclusive; empty = the latest): the
    risk-oriented regime prorates its leave over these periods, and
    int_risk__workplace_individual_risk is the latest. -#}
with w as (
    select * from {{ values_in_force(ref('r_ind_weights'), {
        'w_harm': 'harm', 'w_injury': 'injury', 'w_equipment': 'equipment', 'w_ppe': 'ppe',
        'w_morbidity': 'morbidity'}, key='component', value='weight') }}
),

levels as (
    select level, level_rank, lower_bound, upper_bound
    from {{ in_force(ref('risk_levels')) }}
    where scale = 'workplace'
),

known as (
    select
        *,
        lead(assessed_on) over (partition by workplace_id order by assessed_on) as next_assessed_on
    from {{ ref('stg_otib__risk_assessments') }}
    where assessed_on <= {{ as_of_date() }}
),

scored as (
    select
        a.workplace_id,
        wp.bin,
        a.assessed_on,
        a.next_assessed_on,
        a.harm, a.injury, a.equipment, a.ppe, a.morbidity,
        -- rounded to 10 decimals so that binary float noise (0.49999…) cannot move a
        -- workplace across a level threshold
        round(w.w_harm * a.harm + w.w_injury * a.injury
            + w.w_equipment * a.equipment + w.w_ppe * a.ppe
            + w.w_morbidity * a.morbidity, 10) as r_ind
    from known a
    join {{ ref('stg_hr__workplaces') }} wp on wp.workplace_id = a.workplace_id
    cross join w
)

select
    s.workplace_id,
    s.bin,
    s.assessed_on,
    s.next_assessed_on,
    cast(s.r_ind as double) as r_ind,
    l.level as risk_level,
    s.harm, s.injury, s.equipment, s.ppe, s.morbidity
from scored s
left join levels l
  on s.r_ind >= l.lower_bound
 and (l.upper_bound is null or s.r_ind < l.upper_bound)
