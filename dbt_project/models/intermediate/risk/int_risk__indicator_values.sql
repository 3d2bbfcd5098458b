{%- set d = as_of_date() -%}
with p as (
    select * from {{ values_in_force(ref('ctr_params'), {
        'min_wage': 'min_wage_kzt', 'due_day': 'wage_due_day',
        'ot_month': 'overtime_month_limit_h', 'ot_year': 'overtime_year_limit_h',
        'per_c': 'complaints_per_workers', 'short_days': 'short_contract_days',
        'young_years': 'young_enterprise_years', 'stale_years': 'stale_assessment_years'}) }}
),
ent as (
    -- scored (active) enterprises only (docs/law_and_models.md §10)
    select h.bin, h.oked_section, h.headcount, e.headcount as registry_headcount, e.registered_on
    from {{ ref('int_risk__enterprise_headcount') }} h
    join {{ ref('stg_registry__enterprises') }} e using (bin)
    where h.scored
),

-- wages and working time ------------------------------------------------------------
pay as (
    select
        pr.*,
        cast(strptime(pr.month || '-01', '%Y-%m-%d') as date) as month_start,
        cast(strptime(pr.month || '-01', '%Y-%m-%d') as date) + interval 1 month
            + to_days(cast(p.due_day as integer) - 1) as due_on
    from {{ ref('stg_hr__payroll') }} pr
    cross join p
),
pay12 as (
    select
        bin,
        count(*) as wm,
        {{ exact_sum('accrued') }} as accrued,
        {{ exact_sum('greatest(accrued - paid, 0)') }} as arrears,
        count(*) filter (where paid < accrued) as underpaid,
        count(*) filter (where paid = 0 and accrued > 0) as unpaid,
        count(*) filter (where paid_on > due_on) as late,
        count(*) filter (where paid > 0) as paid_rows,
        avg(date_diff('day', due_on, paid_on)) filter (where paid_on > due_on) as mean_delay,
        count(distinct month) filter (where paid < accrued) as months_arrears,
        count(*) filter (where accrued < (select min_wage from p)) as below_min,
        count(distinct worker_key) as workers_paid,
        coalesce({{ exact_sum('overtime_hours') }}, 0) as ot_hours,
        count(*) filter (where overtime_hours > 0) as ot_rows,
        count(*) filter (where overtime_hours > (select ot_month from p)) as ot_over_month,
        max(coalesce(overtime_hours, 0)) as ot_max,
        max(month) as last_month
    from pay
    where month_start <= {{ d }} and month_start > {{ d }} - interval 12 month
    group by bin
),
pay_last as (
    select pay.bin, cast({{ exact_sum('greatest(pay.accrued - pay.paid, 0)') }} / nullif({{ exact_sum('pay.accrued') }}, 0) as double) as arrears_last
    from pay join pay12 using (bin)
    where pay.month = pay12.last_month
    group by pay.bin
),
ot_year as (
    select bin, count(*) filter (where h > (select ot_year from p)) as over_year, count(*) as workers
    from (
        select bin, worker_key, {{ exact_sum('coalesce(overtime_hours, 0)') }} as h
        from pay
        where month_start <= {{ d }} and month_start > {{ d }} - interval 12 month
        group by all
    )
    group by bin
),
pay36 as (
    select
        bin,
        cast({{ exact_sum('greatest(accrued - paid, 0)') }} / nullif({{ exact_sum('accrued') }}, 0) as double) as arrears_share,
        count(*) filter (where paid_on > due_on) / nullif(count(*) filter (where paid > 0), 0) as late_share,
        count(*) filter (where overtime_hours > (select ot_month from p)) / nullif(count(*), 0) as ot_over_share
    from pay
    where month_start <= {{ d }} and month_start > {{ d }} - interval 36 month
    group by bin
),
short_week as (
    select a.bin,
        count(distinct a.worker_key) as entitled,
        count(distinct a.worker_key) filter (where pw.overtime_hours > 0) as with_ot,
        coalesce({{ exact_sum('pw.overtime_hours') }}, 0) as ot_hours
    from {{ ref('int_guarantees__assignments_current_law') }} a
    left join pay pw
      on pw.worker_key = a.worker_key and pw.bin = a.bin
     and pw.month_start <= {{ d }} and pw.month_start > {{ d }} - interval 12 month
    where a.guarantee = 'short_week'
    group by a.bin
),

-- employment -------------------------------------------------------------------------
emp as (select * from {{ ref('stg_hr__employees') }}),
active as (
    select * from emp
    where start_date <= {{ d }} and (end_date is null or end_date >= {{ d }})
),
section_median as (
    select e.oked_section, median(a.monthly_income) as med
    from active a join ent e using (bin)
    group by e.oked_section
),
emp_agg as (
    select
        e.bin,
        count(a.contract_id) as hc,
        count(a.contract_id) filter (where a.end_date is not null) as fixed_term,
        count(a.contract_id) filter (where a.end_date <= {{ d }} + interval 3 month) as ending_soon,
        count(a.contract_id) filter (where a.monthly_income < (select min_wage from p)) as below_min,
        count(a.contract_id) filter (where a.monthly_income < 1.5 * (select min_wage from p)) as low_pay,
        count(a.contract_id) filter (where a.monthly_income < sm.med) as below_section_median,
        median(a.monthly_income) / nullif(any_value(sm.med), 0) as median_ratio,
        count(distinct a.worker_key) as workers
    from ent e
    left join active a using (bin)
    left join section_median sm on sm.oked_section is not distinct from e.oked_section
    group by e.bin
),
multi as (
    select bin, count(*) filter (where n > 1) as multi_workers
    from (select bin, worker_key, count(*) as n from active group by all)
    group by bin
),
flows as (
    select
        bin,
        count(*) filter (where start_date <= {{ d }} and start_date > {{ d }} - interval 12 month) as hires12,
        count(*) filter (where end_date < {{ d }} and end_date >= {{ d }} - interval 12 month) as seps12,
        count(*) filter (where end_date < {{ d }} and end_date >= {{ d }} - interval 36 month) as seps36,
        count(*) filter (where start_date <= {{ d }} and start_date > {{ d }} - interval 12 month
                           and end_date is not null
                           and date_diff('day', start_date, end_date) < (select short_days from p)) as short12,
        count(*) filter (where start_date <= {{ d }} - interval 12 month
                           and (end_date is null or end_date >= {{ d }} - interval 12 month)) as hc_12m_ago,
        count(distinct worker_key) as workers_ever,
        count(*) - count(distinct worker_key) as repeat_contracts,
        count(*) filter (where start_date <= {{ d }}
                           and (end_date is null or end_date > {{ d }} - interval 12 month)) as contracts_12m
    from emp
    group by bin
),

-- safety -----------------------------------------------------------------------------
inc12 as (
    select bin,
        count(*) filter (where kind in ('injury', 'fatal')) as injuries,
        coalesce(sum(days_lost) filter (where kind in ('injury', 'fatal')), 0) as days_lost
    from {{ ref('stg_otib__incidents') }}
    where occurred_on <= {{ d }} and occurred_on > {{ d }} - interval 12 month
    group by bin
),
inc_prior as (
    select bin, count(*) filter (where kind in ('injury', 'fatal')) / 2.0 as injuries_per_year
    from {{ ref('stg_otib__incidents') }}
    where occurred_on <= {{ d }} - interval 12 month and occurred_on > {{ d }} - interval 36 month
    group by bin
),
class_rank_of as (
    select "class", class_rank from {{ in_force(ref('condition_classes')) }}
),
wc as (
    -- workers in harmful conditions: the one definition of int_risk__workplace_headcount
    -- (confirmed_harmful on as_of, docs/law_and_models.md §10); "3.3 and above" and "class 4" among them
    select
        w.bin,
        count(*) as workplaces,
        sum(h.workers) as workers,
        sum(h.workers_harmful) as harmful_workers,
        sum(h.workers_harmful) filter (where h.class_rank >= (select class_rank from class_rank_of where "class" = '3.3')) as severe_workers,
        sum(h.workers_harmful) filter (where h.class_rank >= (select class_rank from class_rank_of where "class" = '4')) as dangerous_workers,
        count(*) filter (where w.attestation_status = 'not_attested' and coalesce(s.subject_to_attestation, true)) as not_attested,
        count(*) filter (where coalesce(s.subject_to_attestation, true)) as subject,
        count(*) filter (where w.attestation_id is null) as never_attested,
        count(*) filter (where w.r_ind is null) as unassessed,
        sum(h.workers) filter (where w.risk_level = 'very_high') as very_high_workers,
        sum(h.workers) filter (where w.risk_level in ('high', 'very_high')) as high_workers
    from {{ ref('workplace_conditions') }} w
    join {{ ref('int_risk__workplace_headcount') }} h using (workplace_id)
    left join {{ ref('stg_hr__workplaces') }} s using (workplace_id)
    group by w.bin
),
ra as (
    select
        bin,
        max(r_ind) as r_ind_max,
        {{ exact_avg('ppe', 12) }} as ppe_mean,
        {{ exact_avg('equipment', 12) }} as equipment_mean,
        {{ exact_avg('harm', 12) }} as harm_mean,
        {{ exact_avg('morbidity', 12) }} as morbidity_mean,
        count(*) filter (where assessed_on <= {{ d }} - to_years(cast((select stale_years from p) as integer))) as stale,
        count(*) as assessed
    from {{ ref('int_risk__workplace_individual_risk') }}
    group by bin
),

-- guarantees (marts.guarantee_gaps vs current-law entitlements) ------------------------
entitled as (
    select bin, guarantee, count(distinct worker_key) as n
    from {{ ref('int_guarantees__assignments_current_law') }}
    group by all
),
gaps as (
    select bin, guarantee, gap_kind, reason, count(*) as n, count(distinct worker_key) as workers
    from {{ ref('guarantee_gaps') }}
    group by all
),
gap_agg as (
    select
        e.bin,
        {%- for g in ['additional_leave', 'short_week', 'pay_supplement', 'milk', 'therapeutic_nutrition', 'oppv', 'ppe'] %}
        coalesce((select sum(n) from gaps x where x.bin = e.bin and x.guarantee = '{{ g }}'
                   and x.gap_kind in ('not_granted', 'under_granted')), 0)
            / greatest(coalesce((select n from entitled y where y.bin = e.bin and y.guarantee = '{{ g }}'), 0), 1) as gap_{{ g }},
        {%- endfor %}
        -- over-granting at a workplace attested acceptable is lawful (docs/law_and_models.md §10): not scored
        coalesce((select sum(n) from gaps x where x.bin = e.bin and x.gap_kind = 'over_granted'
                   and x.reason <> 'attested_acceptable'), 0) as over_granted,
        coalesce((select sum(n) from gaps x where x.bin = e.bin and x.gap_kind = 'conflict'), 0) as conflicts,
        coalesce((select sum(n) from gaps x where x.bin = e.bin and x.gap_kind in ('not_granted', 'under_granted')), 0) as gaps_total,
        (select count(distinct worker_key) from {{ ref('guarantee_gaps') }} x
          where x.bin = e.bin and x.gap_kind in ('not_granted', 'under_granted')) as gap_workers
    from ent e
),

-- compliance ---------------------------------------------------------------------------
cl as (
    select *, row_number() over (partition by bin order by submitted_on desc) as rn
    from {{ ref('stg_otib__checklists') }}
    where submitted_on <= {{ d }}
),
cl_agg as (
    select
        bin,
        max(submitted_on) as last_on,
        {%- for i in range(1, 16) %}
        max(case when rn = 1 then case when q{{ '%02d' % i }} then 0 else 1 end end) as q{{ '%02d' % i }}_nc,
        {%- endfor %}
        max(case when rn = 1 then noncompliant_answers end) / 15.0 as nc_latest,
        max(case when rn = 2 then noncompliant_answers end) / 15.0 as nc_previous,
        {{ exact_avg('noncompliant_answers / 15.0', 12) }} filter (where submitted_on > {{ d }} - interval 36 month) as nc_mean36
    from cl
    group by bin
),
insp as (
    select
        bin,
        count(*) as inspections,
        sum(violations) as violations,
        coalesce(sum(gross_violations), 0) as gross,
        coalesce({{ exact_sum('fine_kzt') }}, 0) as fines,
        count(*) filter (where violations > 0) as with_violations
    from {{ ref('stg_inspection__inspections') }}
    where inspected_on <= {{ d }} and inspected_on > {{ d }} - interval 36 month
    group by bin
),

-- conflict -----------------------------------------------------------------------------
cmp as (
    select
        bin,
        count(*) filter (where received_on > {{ d }} - interval 12 month) as c12,
        count(*) filter (where received_on <= {{ d }} - interval 12 month
                           and received_on > {{ d }} - interval 24 month) as c_prior12,
        count(*) as c36,
        count(*) filter (where collective and received_on > {{ d }} - interval 12 month) as coll12,
        count(*) filter (where collective) as coll36
        {%- for t in ['wages', 'conditions', 'time', 'dismissal', 'other'] %},
        count(*) filter (where topic = '{{ t }}' and received_on > {{ d }} - interval 12 month) as t_{{ t }}
        {%- endfor %}
    from {{ ref('stg_inspection__complaints') }}
    where received_on <= {{ d }} and received_on > {{ d }} - interval 36 month
    group by bin
),
ca as (
    select bin, signed_on, valid_until, pay_supplement_pct, union_present
    from {{ ref('stg_employer__collective_agreements') }}
),

wide as (
    select
        e.bin,
        -- wages
        p12.arrears / nullif(p12.accrued, 0)                           as wag_arrears_share_12m,
        p12.underpaid / nullif(p12.wm, 0)                              as wag_underpaid_months_share_12m,
        p12.unpaid / nullif(p12.wm, 0)                                 as wag_unpaid_months_share_12m,
        p12.late / nullif(p12.paid_rows, 0)                            as wag_late_payment_share_12m,
        case when p12.wm > 0 then coalesce(p12.mean_delay, 0) end      as wag_mean_delay_days_12m,
        pl.arrears_last                                                as wag_arrears_share_last_month,
        p12.arrears / nullif(p12.workers_paid, 0)                      as wag_arrears_per_worker_12m,
        p12.months_arrears / 12.0                                      as wag_months_with_arrears_12m,
        p12.below_min / nullif(p12.wm, 0)                              as wag_accrued_below_min_wage_12m,
        ea.below_min / nullif(ea.hc, 0)                                as wag_income_below_min_wage,
        ea.low_pay / nullif(ea.hc, 0)                                  as wag_income_below_1_5_min_wage,
        ea.below_section_median / nullif(ea.hc, 0)                     as wag_below_section_median_share,
        ea.median_ratio                                                as wag_median_to_section_median,
        ga.gap_oppv                                                    as wag_unpaid_oppv_share,
        p36.arrears_share                                              as wag_arrears_share_36m,
        p36.late_share                                                 as wag_late_payment_share_36m,
        -- non-reporting is a signal (docs/law_and_models.md §10): contracts active in the 12 months and
        -- no payroll row in them scores 1, not "missing"
        case when coalesce(p12.wm, 0) = 0 and coalesce(f.contracts_12m, 0) > 0 then 1
             else 1 - least(p12.workers_paid / nullif(ea.workers, 0), 1) end
                                                                       as wag_workers_without_payroll_12m,
        -- employment
        ea.fixed_term / nullif(ea.hc, 0)                               as emp_fixed_term_share,
        (f.hires12 + f.seps12) / 2.0 / nullif(ea.hc, 0)                as emp_turnover_12m,
        f.hires12 / nullif(ea.hc, 0)                                   as emp_hire_rate_12m,
        f.seps12 / nullif(ea.hc, 0)                                    as emp_dismissal_rate_12m,
        f.seps36 / nullif(ea.hc, 0)                                    as emp_dismissal_rate_36m,
        f.short12 / nullif(f.hires12, 0)                               as emp_short_contract_share_12m,
        greatest(0, (f.hc_12m_ago - ea.hc) / nullif(f.hc_12m_ago, 0))  as emp_headcount_decline_12m,
        abs(coalesce(e.registry_headcount, 0) - ea.hc) / greatest(coalesce(e.registry_headcount, 0), ea.hc, 1)
                                                                       as emp_registry_headcount_mismatch,
        coalesce(m.multi_workers, 0) / nullif(ea.workers, 0)           as emp_multiple_contracts_share,
        ea.ending_soon / nullif(ea.hc, 0)                              as emp_contracts_ending_3m_share,
        f.repeat_contracts / nullif(f.workers_ever, 0)                 as emp_rehire_share,
        case when e.registered_on is null then null
             when e.registered_on > {{ d }} - to_years(cast((select young_years from p) as integer)) then 1 else 0 end
                                                                       as emp_young_enterprise,
        ea.hc                                                          as emp_headcount_size,
        case when ea.hc = 0 then 1 else 0 end                          as emp_no_active_contracts,
        -- working time
        p12.ot_hours / nullif(p12.wm, 0)                               as tim_overtime_hours_per_worker_month_12m,
        p12.ot_over_month / nullif(p12.wm, 0)                          as tim_overtime_over_monthly_limit_12m,
        oy.over_year / nullif(oy.workers, 0)                           as tim_overtime_over_yearly_limit_12m,
        p12.ot_max                                                     as tim_overtime_max_month_12m,
        p12.ot_rows / nullif(p12.wm, 0)                                as tim_overtime_months_share_12m,
        case when sw.entitled > 0 then sw.with_ot / sw.entitled else 0 end as tim_short_week_overtime_share,
        case when sw.entitled > 0 then sw.ot_hours / sw.entitled else 0 end as tim_short_week_overtime_hours,
        p36.ot_over_share                                              as tim_overtime_over_monthly_limit_36m,
        ga.gap_short_week                                              as tim_short_week_not_granted_share,
        -- safety
        p2.kch                                                         as saf_kch_36m,
        p2.kt                                                          as saf_kt_36m,
        p2.fatalities * 1000.0 / nullif(p2.headcount, 0)               as saf_fatalities_per_1000_36m,
        p2.diseases_per_1000                                           as saf_diseases_per_1000_36m,
        case when p2.fatalities > 0 then 1 else 0 end                  as saf_fatal_flag_36m,
        p2.group_accidents_flag                                        as saf_group_accident_36m,
        coalesce(i12.injuries, 0) * 1000.0 / nullif(ea.hc, 0)         as saf_kch_12m,
        coalesce(i12.days_lost, 0) / nullif(ea.hc, 0)                  as saf_days_lost_per_worker_12m,
        greatest(0, coalesce(i12.injuries, 0) - coalesce(ip.injuries_per_year, 0)) * 1000.0 / nullif(ea.hc, 0)
                                                                       as saf_injury_growth_12m,
        coalesce(wc.harmful_workers, 0) / nullif(wc.workers, 0)        as saf_harmful_share,
        coalesce(wc.severe_workers, 0) / nullif(wc.workers, 0)         as saf_class_3_3_plus_share,
        coalesce(wc.dangerous_workers, 0) / nullif(wc.workers, 0)      as saf_class_4_share,
        wc.not_attested / nullif(wc.subject, 0)                        as saf_not_attested_share,
        wc.never_attested / nullif(wc.workplaces, 0)                   as saf_never_attested_share,
        case when p1.p1_imputed then null else p1.p1 end               as saf_r_ind_mean,
        ra.r_ind_max                                                   as saf_r_ind_max,
        coalesce(wc.very_high_workers, 0) / nullif(wc.workers, 0)      as saf_r_ind_very_high_share,
        coalesce(wc.high_workers, 0) / nullif(wc.workers, 0)           as saf_r_ind_high_plus_share,
        wc.unassessed / nullif(wc.workplaces, 0)                       as saf_unassessed_workplaces_share,
        ra.ppe_mean                                                    as saf_ppe_underprovision,
        ra.equipment_mean                                              as saf_equipment_unsafety,
        ra.harm_mean                                                   as saf_harmfulness_mean,
        ra.morbidity_mean                                              as saf_morbidity_mean,
        ra.stale / nullif(ra.assessed, 0)                              as saf_stale_assessment_share,
        ga.gap_ppe                                                     as saf_ppe_not_granted_share,
        -- guarantees
        ga.gap_additional_leave                                        as gua_additional_leave_gap,
        ga.gap_short_week                                              as gua_short_week_gap,
        ga.gap_pay_supplement                                          as gua_pay_supplement_gap,
        ga.gap_milk                                                    as gua_milk_gap,
        ga.gap_therapeutic_nutrition                                   as gua_therapeutic_nutrition_gap,
        ga.gap_oppv                                                    as gua_oppv_gap,
        ga.gap_ppe                                                     as gua_ppe_gap,
        ga.gaps_total / greatest(ea.hc, 1)                             as gua_gaps_per_worker,
        ga.gap_workers / greatest(ea.hc, 1)                            as gua_workers_with_gap_share,
        ga.over_granted / greatest(ea.hc, 1)                           as gua_over_granted_per_worker,
        case when ga.conflicts > 0 then 1 else 0 end                   as gua_conflict_flag,
        -- compliance
        cla.nc_latest                                                  as cmp_checklist_noncompliance,
        {%- for i in range(1, 16) %}
        cla.q{{ '%02d' % i }}_nc                                        as cmp_checklist_q{{ '%02d' % i }},
        {%- endfor %}
        case when cla.last_on is null or cla.last_on <= {{ d }} - interval 12 month then 1 else 0 end
                                                                       as cmp_no_checklist_12m,
        cla.nc_mean36                                                  as cmp_checklist_noncompliance_mean_36m,
        case when cla.nc_previous is not null then greatest(0, cla.nc_latest - cla.nc_previous) end
                                                                       as cmp_checklist_worsening,
        coalesce(ins.inspections, 0)                                   as cmp_inspections_36m,
        ins.violations / nullif(ins.inspections, 0)                    as cmp_violations_per_inspection_36m,
        coalesce(ins.gross, 0)                                         as cmp_gross_violations_36m,
        coalesce(ins.fines, 0) / greatest(ea.hc, 1)                    as cmp_fines_per_worker_36m,
        ins.with_violations / nullif(ins.inspections, 0)               as cmp_inspections_with_violations_share,
        coalesce(ins.violations, 0) * 1000.0 / greatest(ea.hc, 1)      as cmp_violations_per_1000_36m,
        -- conflict
        coalesce(c.c12, 0) * (select per_c from p) / greatest(ea.hc, 1)   as con_complaints_per_100_12m,
        coalesce(c.coll12, 0)                                              as con_collective_complaints_12m,
        {%- for t in ['wages', 'conditions', 'time', 'dismissal', 'other'] %}
        coalesce(c.t_{{ t }}, 0) * (select per_c from p) / greatest(ea.hc, 1) as con_complaints_{{ t }}_per_100_12m,
        {%- endfor %}
        coalesce(c.c36, 0) * (select per_c from p) / greatest(ea.hc, 1)   as con_complaints_per_100_36m,
        greatest(0, coalesce(c.c12, 0) - coalesce(c.c_prior12, 0)) / greatest(coalesce(c.c_prior12, 0), 1)
                                                                           as con_complaints_growth_12m,
        case when coalesce(c.coll36, 0) > 0 then 1 else 0 end              as con_collective_complaint_36m,
        case when ca.bin is null or ca.signed_on > {{ d }}
                  or (ca.valid_until is not null and ca.valid_until < {{ d }}) then 1 else 0 end
                                                                           as con_no_valid_collective_agreement,
        case when coalesce(ca.union_present, false) then 0 else 1 end      as con_no_union,
        case when ca.valid_until < {{ d }} then 1 else 0 end               as con_agreement_expired,
        case when ca.bin is not null and ca.pay_supplement_pct is null then 1 else 0 end
                                                                           as con_agreement_without_supplement
    from ent e
    left join pay12 p12 using (bin)
    left join pay_last pl using (bin)
    left join pay36 p36 using (bin)
    left join ot_year oy using (bin)
    left join short_week sw using (bin)
    left join emp_agg ea using (bin)
    left join multi m using (bin)
    left join flows f using (bin)
    left join (select *, case when group_accidents > 0 then 1 else 0 end as group_accidents_flag
               from {{ ref('int_risk__p2') }}) p2 using (bin)
    left join {{ ref('int_risk__p1') }} p1 using (bin)
    left join inc12 i12 using (bin)
    left join inc_prior ip using (bin)
    left join wc using (bin)
    left join ra using (bin)
    left join gap_agg ga using (bin)
    left join cl_agg cla using (bin)
    left join insp ins using (bin)
    left join cmp c using (bin)
    left join ca using (bin)
),

wide_d as (
    -- UNPIVOT drops NULLs; carry "not defined" through it as NaN and turn it back
    select bin, coalesce(columns(* exclude (bin))::double, 'nan'::double) from wide
),

long as (
    select * from (
        unpivot wide_d
        on columns(* exclude (bin))
        into name indicator_code value raw_value
    )
)

select bin, indicator_code, case when isnan(raw_value) then null else {{ stable_float('raw_value') }} end as raw_value
from long
