{#- marts.enterprise_efficiency (docs/law_and_models.md §7; the monograph): the efficiency
    coefficient Кэ = complex indicator after / before measures, for the social (K_soc) and
    the economic (K_econ) indicators of Appendix 1, and K_int = √(K_econ × K_soc) (formula 6).
    Decision: "before" = the previous year (period_offset 1), "after" = the as_of year
    (period_offset 0), the 12-month periods of int_risk__appendix1_values.
    Complex indicator of a period = mean z (formula 5 standardisation, oriented 1 = best,
    over the OKED section's enterprise-periods) over the indicators of that kind whose z is
    defined in BOTH periods for the enterprise, so before and after average the same set.
    Кэ > 1: conditions improved. Undefined → NULL with a reason. -#}
with v as (
    select bin, indicator_kind, indicator_code, period_offset, z
    from {{ ref('int_risk__appendix1_values') }}
    where period_offset in (0, 1)
),
pairs as (
    select
        a.bin, a.indicator_kind,
        -- exact sums: a parallel avg of doubles differs in its last bits from run to run
        {{ exact_avg('a.z', 12) }} as complex_after,
        {{ exact_avg('b.z', 12) }} as complex_before,
        count(*) as indicators_used
    from v a
    join v b
      on b.bin = a.bin and b.indicator_code = a.indicator_code and b.period_offset = 1
    where a.period_offset = 0 and a.z is not null and b.z is not null
    group by all
),
ent as (
    select e.bin, e.name, e.oked_section, e.region_code
    from {{ ref('stg_registry__enterprises') }} e
),
k as (
    select
        e.*,
        s.complex_before as soc_before, s.complex_after as soc_after,
        coalesce(s.indicators_used, 0) as soc_used,
        x.complex_before as econ_before, x.complex_after as econ_after,
        coalesce(x.indicators_used, 0) as econ_used,
        s.complex_after / nullif(s.complex_before, 0) as k_soc,
        x.complex_after / nullif(x.complex_before, 0) as k_econ
    from ent e
    left join pairs s on s.bin = e.bin and s.indicator_kind = 'social'
    left join pairs x on x.bin = e.bin and x.indicator_kind = 'economic'
)
select
    bin,
    name as enterprise_name,
    oked_section,
    region_code,
    cast(year({{ as_of_date() }}) - 1 as integer) as year_before,
    cast(year({{ as_of_date() }}) as integer) as year_after,
    cast(soc_before as double) as soc_complex_before,
    cast(soc_after as double) as soc_complex_after,
    cast(soc_used as bigint) as soc_indicators_used,
    cast(round(k_soc, 10) as double) as k_soc,
    case
        when soc_used = 0 then 'no social indicator with a defined, varying value in both periods'
        when k_soc is null then 'social complex indicator before = 0 (worst of the section on every indicator): ratio undefined'
    end as k_soc_reason,
    cast(econ_before as double) as econ_complex_before,
    cast(econ_after as double) as econ_complex_after,
    cast(econ_used as bigint) as econ_indicators_used,
    cast(round(k_econ, 10) as double) as k_econ,
    case
        when econ_used = 0 then 'no economic indicator with a defined, varying value in both periods'
        when k_econ is null then 'economic complex indicator before = 0 (worst of the section on every indicator): ratio undefined'
    end as k_econ_reason,
    cast(round(sqrt(k_econ * k_soc), 10) as double) as k_int,
    case
        when k_soc is null or k_econ is null then 'K_int needs both K_soc and K_econ'
    end as k_int_reason,
    {{ as_of_date() }} as as_of
from k
