{#- marts.assignment_history: when each assignment (worker, workplace, guarantee, regime)
    started, changed and ended, as of var('as_of'): the versions of
    int_guarantees__assignment_versions that began on or before it. One row per version
    (a run of consecutive runs with the same volume and unit). valid_from = the first run
    of the version; valid_to = the first run where it was changed or absent (exclusive;
    empty = current on as_of). started_by / ended_by say whether the version began or
    stopped by a start, a change or an end. -#}
{%- set as_of = as_of_date() %}
with versions as (
    select * from {{ ref('int_guarantees__assignment_versions') }}
    where valid_from <= {{ as_of }}
)

select
    worker_key,
    bin,
    workplace_id,
    guarantee,
    regime,
    cast(row_number() over (partition by worker_key, workplace_id, guarantee, regime order by valid_from) as integer)
        as version_no,
    volume,
    unit,
    legal_basis,
    evidence,
    valid_from,
    case when valid_to <= {{ as_of }} then valid_to end as valid_to,
    started_by,
    case when valid_to <= {{ as_of }} then ended_by end as ended_by,
    valid_to is null or valid_to > {{ as_of }} as is_current,
    {{ as_of }} as as_of
from versions
