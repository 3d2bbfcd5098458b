with p as (
    select * from {{ values_in_force(ref('enterprise_model_params'), {
        'questions': 'p3_questions', 'no_checklist_value': 'p3_no_checklist_value'}) }}
),
latest as (
    select bin, submitted_on, noncompliant_answers
    from {{ ref('stg_otib__checklists') }}
    where submitted_on <= {{ as_of_date() }}
    qualify row_number() over (partition by bin order by submitted_on desc) = 1
)
select
    e.bin,
    l.submitted_on as checklist_submitted_on,
    l.noncompliant_answers,
    round(coalesce(l.noncompliant_answers / p.questions, p.no_checklist_value), 10) as p3,
    l.bin is null as p3_missing,
    case when l.bin is null then 'no checklist submitted on or before as_of: П3 = '
        || cast(p.no_checklist_value as varchar) end as p3_reason
from {{ ref('int_risk__enterprise_headcount') }} e
cross join p
left join latest l using (bin)
where e.scored
