with acts as (
    select * from {{ ref('stg_otib__attestations') }}
),

factors as (
    select * from {{ ref('factors') }}
),

measures as (
    select * from {{ ref('factor_group_measures') }}
),

thresholds as (
    select * from {{ ref('factor_class_thresholds') }}
),

classes as (
    select * from {{ in_force(ref('condition_classes')) }}
),

measured as (
    select
        a.attestation_id,
        a.workplace_id,
        a.bin,
        a.order_no,
        a.order_date,
        a.factor,
        f.factor_group,
        f.exposure_group,
        f.official_group,
        f.unit as measure_unit,
        coalesce(cast(f.milk_relevant as varchar) in ('true', 'yes', '1'), false) as milk_relevant,
        a.measured,
        a.limit_value,
        nullif(trim(cast(a."class" as varchar)), '') as stated_class,
        m.measure,
        case
            when a.measured is null or a.limit_value is null then null
            when m.measure = 'ratio' then
                case when a.limit_value > 0 then a.measured / a.limit_value
                     when a.measured > 0 then cast('Infinity' as double) end
            when m.measure = 'difference' then a.measured - a.limit_value
            when m.measure = 'inverse_ratio' then
                case when a.measured > 0 then a.limit_value / a.measured
                     when a.limit_value > 0 then cast('Infinity' as double) end
        end as measure_value
    from acts as a
    left join factors as f
        on f.code = a.factor
        and {{ in_force_on('a.order_date', 'f') }}
    left join measures as m
        on m.factor_group = f.factor_group
        and {{ in_force_on('a.order_date', 'm') }}
),

computed as (
    select
        x.attestation_id,
        x.workplace_id,
        x.factor,
        t."class" as computed_class,
        c.class_rank as computed_rank,
        row_number() over (
            partition by x.attestation_id, x.workplace_id, x.factor
            order by c.class_rank
        ) as rn
    from measured as x
    inner join thresholds as t
        on t.factor_group = x.factor_group
        and {{ in_force_on('x.order_date', 't') }}
        and (t.upper_bound is null or x.measure_value <= t.upper_bound)
    inner join classes as c
        on c."class" = t."class"
    where x.measure_value is not null
      and x.measure <> 'stated'
)

select
    x.attestation_id,
    x.workplace_id,
    x.bin,
    x.order_no,
    x.order_date,
    x.factor,
    x.factor_group,
    x.exposure_group,
    x.official_group,
    x.measure_unit,
    x.milk_relevant,
    x.measured,
    x.limit_value,
    x.measure,
    x.measure_value,
    x.stated_class,
    c.computed_class,
    coalesce(c.computed_class, x.stated_class) as factor_class,
    case when c.computed_class is not null then 'measured'
         when x.stated_class is not null then 'stated' end as class_source,
    coalesce(c.computed_class is not null and x.stated_class is not null
             and cb.class_band is distinct from sb.class_band, false) as class_disagreement,
    x.measure is not null as rules_in_force,
    cl.class_rank,
    coalesce(cl.is_harmful, false) as is_harmful
from measured as x
left join computed as c
    on c.attestation_id = x.attestation_id
    and c.workplace_id = x.workplace_id
    and c.factor = x.factor
    and c.rn = 1
left join classes as cl
    on cl."class" = coalesce(c.computed_class, x.stated_class)
left join classes as cb
    on cb."class" = c.computed_class
left join classes as sb
    on sb."class" = x.stated_class
