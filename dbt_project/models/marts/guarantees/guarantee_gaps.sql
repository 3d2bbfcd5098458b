{#- marts.guarantee_gaps (contracts/outputs.md; domain.md §3 hazards, §4): what a worker is owed
    under today's law at an enterprise vs what the employer reports granting
    (stg_employer__granted_guarantees, year of as_of), per worker, enterprise and guarantee.
    Entitlements of several workplaces at one enterprise are combined by unit (days and KZT
    add up, hours a week take the shortest, percent and flags the largest).
    gap_kind: not_granted (owed, no grant), under_granted / over_granted (by
    guarantee_rules.granted_comparison), conflict: milk granted together with ЛПП
    (guarantee_rules.excluded_by; order 1054 p.12), or a guarantee not owed but granted to a
    worker whose workplace at the enterprise is attested acceptable. A granted value that is
    empty, or an entitlement whose amount is unknown (no collective agreement), is not compared. -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with rules as (
    select *
    from {{ ref('guarantee_rules') }}
    where {{ as_of }} >= valid_from
      and (valid_to is null or {{ as_of }} < valid_to)
),

entitled as (
    select
        a.worker_key,
        a.bin,
        a.guarantee,
        case any_value(a.unit)
            when 'days' then sum(a.volume)
            when 'kzt_per_month' then sum(a.volume)
            when 'hours_per_week' then min(a.volume)
            else max(a.volume)
        end as entitled_volume,
        bool_or(a.volume is null) as entitled_amount_unknown,
        string_agg(a.workplace_id, ', ' order by a.workplace_id) as workplace_ids
    from {{ ref('int_guarantees__assignments_current_law') }} as a
    group by a.worker_key, a.bin, a.guarantee
),

granted as (
    select worker_key, bin, guarantee, cast(value as double) as granted_volume
    from {{ ref('stg_employer__granted_guarantees') }}
    where year = year({{ as_of }})
),

acceptable_workers as (
    -- workers with a contract in the year at a workplace attested acceptable
    select
        worker_key,
        bin,
        string_agg(distinct workplace_id, ', ') as acceptable_workplace_ids,
        string_agg(distinct attestation_id, ', ') as acceptable_attestation_ids
    from {{ ref('int_guarantees__contract_facts') }}
    where attestation_status = 'confirmed_acceptable'
    group by worker_key, bin
),

compared as (
    select
        coalesce(e.worker_key, g.worker_key) as worker_key,
        coalesce(e.bin, g.bin) as bin,
        coalesce(e.guarantee, g.guarantee) as guarantee,
        e.entitled_volume,
        g.granted_volume,
        e.guarantee is not null as is_entitled,
        g.guarantee is not null as is_granted,
        coalesce(e.entitled_amount_unknown, false) as entitled_amount_unknown,
        e.workplace_ids
    from entitled as e
    full outer join granted as g
        on g.worker_key = e.worker_key
        and g.bin = e.bin
        and g.guarantee = e.guarantee
),

classified as (
    select
        c.*,
        r.unit,
        x.guarantee as excluding_guarantee_granted,
        aw.acceptable_workplace_ids,
        aw.acceptable_attestation_ids,
        case
            when c.is_granted and x.guarantee is not null then 'conflict'
            when c.is_granted and not c.is_entitled and aw.worker_key is not null then 'conflict'
            when c.is_entitled and not c.is_granted then 'not_granted'
            when c.is_granted and not c.is_entitled then 'over_granted'
            when r.granted_comparison = 'presence' or c.entitled_amount_unknown or c.granted_volume is null then null
            when r.granted_comparison = 'higher_is_more' and c.granted_volume < c.entitled_volume - 0.005 then 'under_granted'
            when r.granted_comparison = 'higher_is_more' and c.granted_volume > c.entitled_volume + 0.005 then 'over_granted'
            when r.granted_comparison = 'lower_is_more' and c.granted_volume > c.entitled_volume + 0.005 then 'under_granted'
            when r.granted_comparison = 'lower_is_more' and c.granted_volume < c.entitled_volume - 0.005 then 'over_granted'
        end as gap_kind
    from compared as c
    left join rules as r
        on r.guarantee = c.guarantee
    left join granted as x
        on x.worker_key = c.worker_key
        and x.bin = c.bin
        and x.guarantee = r.excluded_by
    left join acceptable_workers as aw
        on aw.worker_key = c.worker_key
        and aw.bin = c.bin
)

select
    worker_key,
    bin,
    guarantee,
    cast(entitled_volume as double) as entitled_volume,
    cast(granted_volume as double) as granted_volume,
    gap_kind,
    {{ as_of }} as as_of,
    unit,
    cast(year({{ as_of }}) as integer) as year,
    workplace_ids,
    case
        when gap_kind = 'conflict' and excluding_guarantee_granted is not null
            then guarantee || ' granted together with ' || excluding_guarantee_granted || ' (order 1054 p.12)'
        when gap_kind = 'conflict'
            then 'granted on a workplace attested acceptable: ' || acceptable_workplace_ids || ' (act ' || acceptable_attestation_ids || ')'
        when gap_kind = 'not_granted' then 'owed at ' || workplace_ids || ', no grant reported for ' || year({{ as_of }})
        when gap_kind = 'over_granted' and not is_entitled then 'granted but not owed under current law'
        else 'owed ' || coalesce(cast(entitled_volume as varchar), '?') || ', granted ' || coalesce(cast(granted_volume as varchar), '?') || ' ' || unit
    end as detail
from classified
where gap_kind is not null
