with factor_classes as (
    select * from {{ ref('int_conditions__factor_classes') }}
),

classes as (
    select * from {{ in_force(ref('condition_classes')) }}
),

rules as (
    select
        r.*,
        cf.class_rank as count_rank_from,
        ct.class_rank as count_rank_to,
        cr.class_rank as result_rank,
        cc.class_rank as cap_rank
    from {{ ref('workplace_class_escalation') }} as r
    left join classes as cf on cf."class" = r.count_class_from
    left join classes as ct on ct."class" = r.count_class_to
    left join classes as cr on cr."class" = r.result_class
    left join classes as cc on cc."class" = r.cap_class
),

acts as (
    select
        attestation_id,
        workplace_id,
        max(bin) as bin,  -- max, not any_value: a rerun must pick the same row
        max(order_no) as order_no,
        max(order_date) as order_date,
        count(*) as factors_total,
        count(class_rank) as factors_classified,
        max(class_rank) as base_rank,
        count(*) filter (where class_disagreement) as class_disagreements,
        string_agg(case when class_disagreement then factor || ' (stated ' || stated_class || ', measured ' || computed_class || ')' end, '; ' order by factor) as disagreement_factors,
        string_agg(case when is_harmful then factor || ' ' || factor_class end, ', ' order by class_rank desc, factor) as harmful_factors,
        count(*) filter (where is_harmful) as harmful_factor_count,
    from factor_classes
    group by attestation_id, workplace_id
),

rule_hits as (
    select
        a.attestation_id,
        a.workplace_id,
        r.rule_code,
        case
            when r.effect = 'set_at_least' then r.result_rank
            when r.effect = 'raise' then
                case when a.base_rank >= r.cap_rank then a.base_rank
                     else least(a.base_rank + r.raise_degrees, r.cap_rank) end
        end as result_rank
    from acts as a
    inner join rules as r
        on {{ in_force_on('a.order_date', 'r') }}
    where (
        select count(*)
        from factor_classes as f
        where f.attestation_id = a.attestation_id
          and f.workplace_id = a.workplace_id
          and f.class_rank between r.count_rank_from and r.count_rank_to
    ) >= r.min_factors
),

hits_per_act as (
    select
        h.attestation_id,
        h.workplace_id,
        max(h.result_rank) as max_rule_rank,
        string_agg(case when h.result_rank > a.base_rank then h.rule_code end, ', ' order by h.rule_code) as escalation_rules
    from rule_hits as h
    inner join acts as a
        on a.attestation_id = h.attestation_id
        and a.workplace_id = h.workplace_id
    group by h.attestation_id, h.workplace_id
),

escalated as (
    select
        a.*,
        greatest(a.base_rank, coalesce(h.max_rule_rank, a.base_rank)) as final_rank,
        h.escalation_rules
    from acts as a
    left join hits_per_act as h
        on h.attestation_id = a.attestation_id
        and h.workplace_id = a.workplace_id
)

select
    e.attestation_id,
    e.workplace_id,
    e.bin,
    e.order_no,
    e.order_date,
    e.factors_total,
    e.factors_classified,
    cb."class" as highest_factor_class,
    cw."class" as workplace_class,
    e.final_rank as class_rank,
    coalesce(cw.is_harmful, false) as is_harmful,
    e.escalation_rules,
    e.harmful_factors,
    e.harmful_factor_count,
    e.class_disagreements,
    e.disagreement_factors
from escalated as e
left join classes as cb on cb.class_rank = e.base_rank
left join classes as cw on cw.class_rank = e.final_rank
