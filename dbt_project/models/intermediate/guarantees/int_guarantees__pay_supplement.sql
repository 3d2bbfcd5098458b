{%- set as_of = as_of_date() %}
with agreements as (
    select *
    from {{ ref('stg_employer__collective_agreements') }}
    where signed_on <= {{ as_of }}
      and (valid_until is null or valid_until >= {{ as_of }})
    qualify row_number() over (partition by bin order by signed_on desc) = 1
),

coefficients as (
    select
        e.bin,
        s.industry,
        s.coefficient_min,
        s.coefficient_max,
        s.legal_act_code
    from {{ ref('stg_registry__enterprises') }} as e
    inner join {{ in_force(ref('sectoral_coefficients')) }} as s
        on starts_with(e.oked, cast(s.oked_prefix as varchar))
    qualify row_number() over (partition by e.bin order by length(cast(s.oked_prefix as varchar)) desc, s.industry) = 1
)

{% set evidence -%}
    case when a.pay_supplement_pct is not null
         then a.pay_supplement_pct || '% per collective agreement signed ' || a.signed_on
         else 'amount set by collective agreement: missing' end
    || '; sectoral coefficient: '
    || coalesce(c.industry || ' ' || c.coefficient_min
                || case when c.coefficient_max <> c.coefficient_min then '-' || c.coefficient_max else '' end
                || ' (' || c.legal_act_code || ')', 'none for this industry')
    || '; ' || w.base_evidence
{%- endset %}
select {{ owed_columns(volume='a.pay_supplement_pct', evidence=evidence) }}
from {{ ref('int_guarantees__active_workers') }} as w
cross join {{ guarantee_rule(['pay_supplement']) }} as r
left join agreements as a
    on a.bin = w.bin
left join coefficients as c
    on c.bin = w.bin
where w.list_applies
  and w.pay_increase
