{#- marts.workplace_factors (docs/design.md, published interface): one row per workplace and factor of
    its latest attestation act ordered on or before as_of — the act marts.workplace_conditions takes
    the class from — with what the act measured, the limit, the measure the class was computed from,
    the computed and the stated class (docs/law_and_models.md §3), and the workplace's status on as_of
    (§10). A workplace never attested has no row; an expired act keeps its rows, its status says it
    no longer counts. -#}
select
    s.workplace_id,
    s.bin,
    s.attestation_id,
    s.attestation_order_no,
    s.attestation_order_date,
    s.attestation_valid_until,
    s.attestation_valid,
    s.attestation_status,
    s.workplace_class,
    f.factor,
    f.factor_group,
    f.exposure_group,
    f.official_group,
    cast(f.measured as double) as measured,
    cast(f.limit_value as double) as limit_value,
    f.measure_unit,
    case when f.computed_class is not null then f.measure
         when f.stated_class is not null then 'stated' end as measure_kind,
    {{ stable_float('case when f.computed_class is not null then f.measure_value end') }} as measure_value,
    f.computed_class,
    f.stated_class,
    f.factor_class,
    f.is_harmful,
    f.class_disagreement,
    f.milk_relevant,
    cast(coalesce(h.workers, 0) as bigint) as workers,
    s.as_of
from {{ ref('int_conditions__attestation_status') }} as s
inner join {{ ref('int_conditions__factor_classes') }} as f
    on f.attestation_id = s.attestation_id
    and f.workplace_id = s.workplace_id
left join {{ ref('int_risk__workplace_headcount') }} as h
    on h.workplace_id = s.workplace_id
