"""Data quality (issue 5): GX suites as Dagster asset checks, blocking behaviour, the
auditor's report (summary page + Data Docs) and the dq run history.

The landing directory is built by hand here (two good drops of every extract, a few bad
rows of several kinds, hostile names), so these tests do not wait on the generator. One
module-scoped pipeline run builds the marts; a second run over a third drop in which a
region vanished from the registry must stop at the blocking check on raw/enterprises.
"""
from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines import contract
from pipelines.identifiers import complete_id
from tests.conftest import chromium, query

D1, D2, D3, D4 = "2025-05-31", "2025-06-30", "2025-07-31", "2025-08-31"
HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")<script>alert(1)</script>'
HOSTILE_FOLDER = "<img src=x onerror=alert(2)>drop"


# ----------------------------------------------------------------------- the landing

def _id(n: int, first: str = "0501") -> str:
    for k in range(100):
        v = complete_id(f"{first}{(n * 100 + k):07d}")
        if v:
            return v
    raise ValueError(n)


def _iin(n: int) -> str:
    for k in range(100):
        v = complete_id(f"850101{3 + n % 2}{(n * 100 + k) % 10000:04d}")
        if v:
            return v
    raise ValueError(n)


ENTERPRISES = [  # bin, name, oked, kato (region = first two digits)
    (_id(1), "ТОО «Көмір»", "05101", "351010000"),
    (_id(2), HOSTILE_NAME, "24101", "351010000"),
    (_id(3), "АО Завод, \"Металл\"", "25110", "711010000"),
    (_id(4), "Стройка", "41201", "711010000"),
    (_id(5), "Больница", "86100", "751010000"),
]
PROFESSIONS = ["Плавильщик", "Горнорабочий очистного забоя", "Слесарь-ремонтник", "Каменщик", "Электрогазосварщик"]


def _rows(drop: str, drop_no: int, enterprises=ENTERPRISES) -> dict[str, list[dict]]:
    T, F = "true", "false"
    rows: dict[str, list[dict]] = defaultdict(list)
    for i, (b, name, oked, kato) in enumerate(enterprises):
        rows["enterprises"].append(dict(bin=b, name=name, oked=oked, kato=kato, status="active", headcount="4", registered_on="2005-01-01"))
        rows["collective_agreements"].append(dict(bin=b, signed_on="2024-01-01", valid_until="2027-01-01", pay_supplement_pct="12", union_present=T))
        rows["checklists"].append(dict(bin=b, submitted_on=f"2025-0{4 + drop_no}-01", **{f"q{q:02d}": (F if q % (i + 2) == 0 else T) for q in range(1, 16)}))
        rows["complaints"].append(dict(complaint_id=f"CP{drop_no}-{i}", bin=b, received_on=drop, topic="wages", collective=F))
        rows["inspections"].append(dict(inspection_id=f"IN{drop_no}-{i}", bin=b, inspected_on=drop, violations=str(i), gross_violations="0", fine_kzt="0"))
        for w in range(2):
            wp = f"W{i}{w}"
            rows["workplaces"].append(dict(workplace_id=wp, bin=b, unit=f"U{w}", profession=PROFESSIONS[(i + w) % len(PROFESSIONS)],
                                           list_entry="MET-001" if w == 0 and i % 2 == 0 else "", subject_to_attestation=T))
            rows["attestations"].append(dict(attestation_id=f"A{i}{w}", bin=b, order_no=f"{i}{w}", order_date="2023-03-01", workplace_id=wp,
                                             factor="noise", measured=str(80 + 5 * i), limit_value="80", **{"class": ""}))
            rows["risk_assessments"].append(dict(workplace_id=wp, assessed_on=f"2025-0{4 + drop_no}-15", harm="0.4", injury="0.3",
                                                 equipment="0.2", ppe="0.1", morbidity="0.2", assessor_bin=_id(9)))
            for k in range(2):
                n = i * 10 + w * 2 + k
                iin = _iin(n)
                rows["employees"].append(dict(contract_id=f"C{n}", iin=iin, bin=b, workplace_id=wp, start_date="2020-01-01", end_date="",
                                              monthly_income=str(300000 + 1000 * n)))
                rows["payroll"].append(dict(iin=iin, bin=b, month=drop[:7], accrued="300000", paid="300000", paid_on=drop, overtime_hours="0"))
                rows["granted_guarantees"].append(dict(iin=iin, bin=b, guarantee="additional_leave", year="2025", value="12"))
        rows["incidents"].append(dict(incident_id=f"I{drop_no}-{i}", bin=b, iin=_iin(i * 10), occurred_on=drop, kind="injury", days_lost="5", group_accident=F))
    for region in sorted({kato[:2] for _, _, _, kato in enterprises}):
        rows["stat_regions"].append(dict(year=str(2020 + drop_no), region=region, workers_surveyed="1000", workers_harmful="100",
                                         heavy_labour="10", injuries="3", fatalities="0"))
    return rows


BAD_ROWS = {  # extract -> (row changes, reason code), appended to drop 2
    "enterprises": [({"bin": "123456789012"}, "bad_checksum"), ({"status": "bankrupt"}, "not_in_domain")],
    "employees": [({"start_date": "2025-02-30", "contract_id": "CBAD1"}, "bad_date"),
                  ({"monthly_income": "-5", "contract_id": "CBAD2"}, "out_of_range")],
    "incidents": [({"incident_id": "I2-0"}, "duplicate_key"), ({"incident_id": "IX", "bin": _id(77)}, "unknown_reference")],
}


def _write_drop(root: Path, drop: str, rows: dict[str, list[dict]], bad: dict | None = None) -> None:
    folder = root / drop
    folder.mkdir(parents=True)
    for name, extract in contract.EXTRACTS.items():
        data = list(rows.get(name, []))
        for change, _ in (bad or {}).get(name, []):
            data.append({**data[0], **change})
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=extract.column_names, lineterminator="\n", extrasaction="raise")
        writer.writeheader()
        for r in data:
            writer.writerow({c: r.get(c, "") for c in extract.column_names})
        (folder / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
    (folder / contract.SUCCESS_MARKER).write_text("")


def make_landing(root: Path) -> Path:
    _write_drop(root, D1, _rows(D1, 1))
    _write_drop(root, D2, _rows(D2, 2), BAD_ROWS)
    (root / HOSTILE_FOLDER).mkdir()
    return root


# ---------------------------------------------------------------------- running it

def run_pipeline(landing: Path, warehouse: Path, drops: tuple[str, str] | None = None, checks=None, assets=None):
    """Every drop, or the range FIRST..LAST, as a run started from the Dagster UI: the job
    executed, then the run status sensor for how it ended (what `dagster dev`'s daemon
    does), which records the run's outcome and renders its report. `checks(defs)` and
    `assets(defs)` pick a part of the job (as a backfill of a selection from the UI does):
    the asset check keys and the asset keys to run."""
    from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from pipelines.definitions import ALL_ASSETS_JOB, build_definitions
    from pipelines.defs.ingest.assets import drops_partitions
    from pipelines.defs.ops.run_outcome import OUTCOME_SENSORS
    from pipelines.defs.resources import LrmSettings

    settings = LrmSettings(landing_dir=str(landing), warehouse_path=str(warehouse))
    keys = settings.landing().keys
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(drops_partitions.name, keys)
    defs = build_definitions(settings)
    job = defs.resolve_job_def(ALL_ASSETS_JOB)
    if checks is not None or assets is not None:
        everything = defs.resolve_asset_graph()
        job = job.get_subset(asset_selection=assets(defs) if assets else set(everything.get_all_asset_keys()),
                             asset_check_selection=checks(defs) if checks else set(everything.asset_check_keys))
    first, last = drops or (keys[0], keys[-1])
    result = job.execute_in_process(instance=instance, raise_on_error=False,
                                    tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last})
    run = instance.get_run_by_id(result.run_id)
    ended = [e.dagster_event for e in instance.all_logs(result.run_id, of_type={DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE})]
    sensor = defs.resolve_sensor_def(OUTCOME_SENSORS[run.status])
    sensor(build_run_status_sensor_context(sensor_name=sensor.name, dagster_event=ended[-1], dagster_instance=instance,
                                           dagster_run=run, resources={"settings": settings}))
    return result


def _int(text: str) -> int:
    """A number as the report prints it (narrow no-break spaces between thousands)."""
    return int(text.replace("\u202f", ""))


def _marts(path: Path) -> dict[str, list]:
    tables = query(path, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1")
    return {t: sorted(map(repr, query(path, f'SELECT * FROM marts."{t}"'))) for (t,) in tables}


def _check_evaluations(result) -> dict[tuple[str, str], object]:
    out = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            out[(ev.asset_key.to_user_string(), ev.check_name)] = ev
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("quality")
    landing = make_landing(base / "landing")
    warehouse = base / "wh" / "lrm.duckdb"
    first = run_pipeline(landing, warehouse)
    marts_before = _marts(warehouse)
    after_first = base / "after_first"  # the warehouse and report as the first run left them
    shutil.copytree(warehouse.parent, after_first, symlinks=True)
    published = warehouse.parent / "published" / "lrm_analyst.duckdb"
    published_before = published.read_bytes()  # the first run published: its copy must stay
    # Drop 3: the registry snapshot lost every enterprise of region 75 — a broken feed.
    _write_drop(landing, D3, _rows(D3, 3, [e for e in ENTERPRISES if not e[3].startswith("75")]))
    second = run_pipeline(landing, warehouse)
    return dict(landing=landing, warehouse=warehouse, first=first, second=second, marts_before=marts_before,
                published=published, published_before=published_before, after_first=after_first)


# ------------------------------------------------------------------------- the tests

def test_first_run_passes_its_blocking_checks_and_builds_marts(runs):
    evaluations = _check_evaluations(runs["first"])
    critical = {k: v for k, v in evaluations.items() if k[1] == "gx_critical"}
    assert {f"raw/{x}" for x in contract.EXTRACTS} <= {k[0] for k in critical}
    failed = {k: v.metadata.get("failures") for k, v in critical.items() if not v.passed}
    assert not failed, failed
    assert any(k[0].startswith("marts/") for k in critical), "no mart was checked"
    assert runs["marts_before"], "the first run built no marts"
    assert runs["first"].success, [e.message for e in runs["first"].all_events if e.event_type_value == "STEP_FAILURE"]


def test_blocking_failure_keeps_previous_marts_untouched(runs):
    second = runs["second"]
    evaluations = _check_evaluations(second)
    ev = evaluations[("raw/enterprises", "gx_critical")]
    assert not ev.passed and ev.severity.value == "ERROR"
    assert "dim:region" in str(ev.metadata["failures"].value) and '"75"' in str(ev.metadata["failures"].value)
    assert not second.success
    steps = {e.step_key for e in second.all_events if e.event_type_value == "STEP_START"}
    assert not any("dbt" in s for s in steps), steps
    assert not any("publish" in s for s in steps), steps
    assert _marts(runs["warehouse"]) == runs["marts_before"]
    assert runs["published"].read_bytes() == runs["published_before"]
    status = query(runs["warehouse"], "SELECT status FROM dq.run_history WHERE run_id = ?", [second.run_id])
    assert status == [("blocked",)]


def test_a_blocked_drop_is_checked_again_by_the_run_of_the_next_drop(runs, tmp_path):
    """A drop whose blocking check failed keeps its rows in raw. The next drop's run, for
    that drop alone (the sensor's run), checks it again and stays blocked: event staging
    would otherwise merge its rows into the marts unchecked."""
    landing = tmp_path / "landing"
    shutil.copytree(runs["landing"], landing)
    shutil.copytree(runs["warehouse"].parent, tmp_path / "wh")
    warehouse = tmp_path / "wh" / runs["warehouse"].name
    _write_drop(landing, D4, _rows(D4, 4))  # a good drop: every region is back
    third = run_pipeline(landing, warehouse, drops=(D4, D4))
    ev = _check_evaluations(third)[("raw/enterprises", "gx_critical")]
    assert not ev.passed and f"{D3}: " in str(ev.metadata["failures"].value)
    assert not third.success
    assert _marts(warehouse) == runs["marts_before"]
    checked = query(warehouse, "SELECT DISTINCT batch FROM dq.check_results WHERE run_id = ? AND asset_key = 'raw/enterprises' "
                            "AND batch <> 'all drops' ORDER BY 1", [third.run_id])
    assert checked == [(D3,), (D4,)]  # the passed drops D1, D2 are not checked again


def _threshold_drop(root: Path, drop: str) -> None:
    """A drop whose complaints file rejects 100 of its 250 rows (40 %: above the default
    block share of 25 % of a file of at least 200 rows) and whose inspections file rejects
    1 of 6 (17 %: above the warn share of 5 %, too small a file to block)."""
    rows = _rows(drop, 3)
    enterprises = [e[0] for e in ENTERPRISES]
    rows["complaints"] = [dict(complaint_id=f"CPX-{i}", bin=enterprises[i % len(enterprises)], received_on=drop,
                               topic="bogus" if i % 5 < 2 else "wages", collective="false") for i in range(250)]
    _write_drop(root, drop, rows, {"inspections": [({"violations": "-1", "inspection_id": "INBAD"}, "out_of_range")]})


def test_a_file_above_its_block_share_stops_the_run_before_the_marts(runs, tmp_path):
    """Rejection thresholds (seeds/policy/extract_thresholds.csv, default row: warn above
    5 %, block above 25 % of files of at least 200 rows) are checks: the complaints file
    blocks the run before dbt, the inspections file warns; the report says why."""
    landing = tmp_path / "landing"
    shutil.copytree(runs["landing"] / D1, landing / D1)
    shutil.copytree(runs["landing"] / D2, landing / D2)
    shutil.copytree(runs["after_first"], tmp_path / "wh")
    warehouse = tmp_path / "wh" / runs["warehouse"].name
    published = warehouse.parent / "published" / "lrm_analyst.duckdb"
    published_before = published.read_bytes()
    _threshold_drop(landing, D3)
    third = run_pipeline(landing, warehouse, drops=(D3, D3))
    evaluations = _check_evaluations(third)
    blocked, warned = evaluations[("raw/complaints", "rejected_share")], evaluations[("raw/inspections", "rejected_share")]
    assert not blocked.passed and blocked.severity.value == "ERROR"
    assert not warned.passed and warned.severity.value == "WARN"
    assert evaluations[("raw/enterprises", "rejected_share")].passed
    assert not third.success
    steps = {e.step_key for e in third.all_events if e.event_type_value == "STEP_START"}
    assert not any("dbt" in s or "publish" in s for s in steps), steps
    assert _marts(warehouse) == runs["marts_before"] and published.read_bytes() == published_before
    recorded = query(warehouse, "SELECT asset_key, batch, outcome, element_count, unexpected_count FROM dq.check_results "
                             "WHERE run_id = ? AND check_kind = 'threshold' AND outcome <> 'passed' ORDER BY 1", [third.run_id])
    assert [r for r in recorded if r[2] == "failed"] == [("raw/complaints", D3, "failed", 250, 100)]
    assert ("raw/inspections", D3, "warned", 6, 1) in recorded
    status, reasons = query(warehouse, "SELECT status, status_reasons FROM dq.run_history WHERE run_id = ?", [third.run_id])[0]
    assert status == "blocked"
    assert any(r.startswith("blocking check failed: raw/complaints rejected rows, drop " + D3) and "100 of 250 rows rejected (40.0%)" in r
               for r in json.loads(reasons)), reasons
    from pipelines.quality.paths import run_page

    page = run_page(warehouse, third.run_id).read_text(encoding="utf-8")
    assert re.search(r'id="status" class="status blocked">blocked', page)
    assert "raw/complaints rejected rows, drop " + D3 in page and "This run published nothing" in page
    rows = _page_rows(page)
    assert _int(rows[("complaints", D3)]["rejected"]) == 100 and "failed" in rows[("complaints", D3)]["threshold"]
    assert "warned" in rows[("inspections", D3)]["threshold"]


def _blocked_after_the_first_run(runs, tmp_path, rows: dict[str, list[dict]] | None = None, **selection):
    """A run on a copy of the warehouse as the first run left it (marts and published copy),
    for a third drop (`rows`) or for the drops already loaded: it must be blocked, publish
    nothing (the publish step held back by Dagster, or refusing itself when the run built
    no mart) and leave the marts and the published copy as they were."""
    landing = tmp_path / "landing"
    shutil.copytree(runs["landing"] / D1, landing / D1)
    shutil.copytree(runs["landing"] / D2, landing / D2)
    shutil.copytree(runs["after_first"], tmp_path / "wh", symlinks=True)
    warehouse = tmp_path / "wh" / runs["warehouse"].name
    published = warehouse.parent / "published" / "lrm_analyst.duckdb"
    published_before = published.read_bytes()
    if rows is not None:
        _write_drop(landing, D3, rows)
    drop = D3 if rows is not None else D2
    result = run_pipeline(landing, warehouse, drops=(drop, drop), **selection)
    assert not result.success
    published_steps = {e.step_key: e for e in result.all_events if "publish" in (e.step_key or "")
                       and e.event_type_value in ("STEP_START", "STEP_FAILURE", "STEP_SUCCESS")}
    assert not any(e.event_type_value == "STEP_SUCCESS" for e in published_steps.values()), published_steps
    if published_steps:
        failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE" and "publish" in e.step_key]
        assert failure and "nothing is published" in str(failure[0].event_specific_data.error), failure
    assert _marts(warehouse) == runs["marts_before"] and published.read_bytes() == published_before
    status, reasons = query(warehouse, "SELECT status, status_reasons FROM dq.run_history WHERE run_id = ?", [result.run_id])[0]
    return result, warehouse, status, json.loads(reasons)


def _dbt_checks(defs) -> set:
    """The dbt tests' checks (the GX raw suites are not what these runs are about)."""
    from pipelines.defs.dbt.assets import dbt_models

    return set(dbt_models.check_keys)


def _mart_checks(defs) -> set:
    return {k for k in defs.resolve_asset_graph().asset_check_keys if k.asset_key.path[0] == "marts" and k.name.startswith("gx_")}


def _publish_only(defs) -> set:
    from pipelines.defs.publish.assets import published_analyst_copy

    return {published_analyst_copy.key}


def test_a_failing_dbt_test_blocks_publishing(runs, tmp_path):
    """A blocking dbt test (severity error) that fails holds the publish step back. Drop 3's
    workplace snapshot lost W41 while two contracts still name it (their workplace existed
    in an earlier drop, so ingestion and the raw suites let them in): they would lose every
    guarantee (docs/law_and_models.md §4), and the relationship test fails."""
    rows = _rows(D3, 3)
    rows["workplaces"] = [w for w in rows["workplaces"] if w["workplace_id"] != "W41"]
    assert any(e["workplace_id"] == "W41" for e in rows["employees"])
    result, warehouse, status, reasons = _blocked_after_the_first_run(runs, tmp_path, rows, checks=_dbt_checks)
    failed = query(warehouse, "SELECT asset_key, check_name, severity FROM dq.check_results WHERE run_id = ? "
                              "AND check_kind = 'dbt' AND outcome = 'failed'", [result.run_id])
    assert [(a, c) for a, c, _ in failed] == [(
        "staging/stg_hr__employees", "relationships_stg_hr__employees_workplace_id__workplace_id__ref_stg_hr__workplaces_")]
    assert failed[0][2] == "critical"
    assert status == "blocked" and any("stg_hr__employees" in r for r in reasons), reasons


def test_a_failing_mart_check_blocks_publishing(runs, tmp_path, monkeypatch):
    """A blocking GX expectation of a mart that the marts fail keeps them from being
    published: region_risk's suite gets one more critical expectation (no region has more
    than 1 worker) that the first run's marts break; the run checks the marts and would
    publish them (a re-publish of the marts in place, as from the UI: only their checks and
    the publish step, no mart built, so the publish step itself refuses)."""
    from pipelines.quality import runner, suites

    expectations = tmp_path / "expectations"
    shutil.copytree(suites.EXPECTATIONS_DIR, expectations)
    suite = json.loads((expectations / "marts" / "region_risk.json").read_text(encoding="utf-8"))
    suite["expectations"].append({"type": "expect_column_values_to_be_between", "severity": "critical",
                                  "kwargs": {"column": "workers", "max_value": 1}})
    (expectations / "marts" / "region_risk.json").write_text(json.dumps(suite), encoding="utf-8")
    monkeypatch.setattr(suites, "EXPECTATIONS_DIR", expectations)
    monkeypatch.setattr(runner, "_definitions", {})  # the validation definitions this process made
    suites._mart_json.cache_clear()
    try:
        result, warehouse, status, reasons = _blocked_after_the_first_run(runs, tmp_path, checks=_mart_checks,
                                                                          assets=_publish_only)
    finally:
        suites._mart_json.cache_clear()
    ev = _check_evaluations(result)[("marts/region_risk", "gx_critical")]
    assert not ev.passed and ev.severity.value == "ERROR"
    assert "workers" in str(ev.metadata["failures"].value)
    assert all(ev.passed for (key, check), ev in _check_evaluations(result).items()
               if check == "gx_critical" and key != "marts/region_risk")
    assert status == "blocked" and any("marts/region_risk" in r for r in reasons), reasons


class _Table(html.parser.HTMLParser):
    """Collects the ingestion rows of the summary page: (extract, drop) -> {field: text}."""

    def __init__(self):
        super().__init__()
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self._row = None
        self._field = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-extract" in a:
            self._row = self.rows.setdefault((a["data-extract"], a["data-drop"]), {})
        elif tag == "td" and self._row is not None and "data-field" in a:
            self._field = a["data-field"]
            self._row[self._field] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._field = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row is not None and self._field:
            self._row[self._field] += data


def _page_rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    parser = _Table()
    parser.feed(text)
    return parser.rows


def test_report_lists_rejected_rows_matching_dq(runs):
    from pipelines.quality.paths import index_page, run_page

    wh, run_id = runs["warehouse"], runs["first"].run_id
    page = run_page(wh, run_id)
    assert page.exists() and index_page(wh).exists()
    rows = _page_rows(page.read_text(encoding="utf-8"))
    files = query(wh, "SELECT extract, CAST(drop_date AS VARCHAR), rows_landed, rows_loaded, rows_rejected, rows_unchanged "
                   "FROM dq.ingest_files WHERE drop_date <= ?", [D2])
    assert len(files) == 2 * len(contract.EXTRACTS)
    for extract, drop, landed, loaded, rejected, unchanged in files:
        row = rows[(extract, drop)]
        assert (_int(row["landed"]), _int(row["loaded"]), _int(row["rejected"])) == (landed, loaded, rejected), (extract, drop)
        # A snapshot drop's rows unchanged since the previous drop (not written again); none for events.
        if contract.EXTRACTS[extract].kind == "snapshot":
            assert _int(row["unchanged"]) == unchanged and (drop != D1 or unchanged == 0), (extract, drop)
        else:
            assert row["unchanged"] == "" and unchanged == 0, (extract, drop)
    assert _int(rows[("employees", D2)]["unchanged"]) > 0
    reasons = defaultdict(dict)
    for extract, drop, code, n in query(wh, "SELECT extract, CAST(drop_date AS VARCHAR), split_part(reason, ':', 1), count(*) "
                                         "FROM dq.rejected_rows WHERE drop_date <= ? GROUP BY ALL", [D2]):
        reasons[(extract, drop)][code] = n
    for (extract, drop), row in rows.items():
        if drop == "all":
            continue
        shown = dict((c.strip(), _int(n)) for c, n in (p.split(":") for p in row["reasons"].split(",") if p.strip()))
        assert shown == reasons.get((extract, drop), {}), (extract, drop)
    # Every kind of bad row injected is there, by reason.
    for extract, bad in BAD_ROWS.items():
        for _, code in bad:
            assert reasons[(extract, D2)].get(code), (extract, code)
    # Totals per extract = sum over drops; checks per drop were counted.
    assert _int(rows[("employees", "all")]["rejected"]) == sum(reasons[("employees", d)].get(c, 0) for d in (D1, D2) for c in reasons[("employees", d)])
    assert _int(rows[("enterprises", D1)]["passed"]) > 10
    # History: one row per run, check results with timestamps.
    history = query(wh, "SELECT run_id, code_version, seed_versions FROM dq.run_history ORDER BY started_at")
    assert [h[0] for h in history] == [run_id, runs["second"].run_id]
    assert history[0][1].startswith(("git ", "labour-risk-map "))
    assert "list_entries" in history[0][2]
    trend = query(wh, "SELECT run_id, count(*) FILTER (outcome = 'failed') FROM dq.check_results GROUP BY 1 ORDER BY min(checked_at)")
    assert trend[0][1] == 0 and trend[1][1] > 0


def test_summary_and_data_docs_are_produced_and_escaped(runs):
    from pipelines.quality.paths import data_docs_dir, index_page, run_page

    wh = runs["warehouse"]
    for run in (runs["first"], runs["second"]):
        text = run_page(wh, run.run_id).read_text(encoding="utf-8")
        assert run.run_id in text
        assert "<script" not in text.lower() and "<img" not in text.lower()
    second = run_page(wh, runs["second"].run_id).read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;drop" in second  # the hostile drop folder, as text
    index = index_page(wh).read_text(encoding="utf-8")
    assert f'runs/{runs["first"].run_id}.html' in index and f'runs/{runs["second"].run_id}.html' in index
    docs = data_docs_dir(wh)
    # The Data Docs index is rendered when each run ends: both runs' validations are linked.
    gx_index = (docs / "index.html").read_text(encoding="utf-8")
    assert runs["first"].run_id in gx_index and runs["second"].run_id in gx_index
    pages = list((docs / "validations").rglob("*.html"))
    assert any("enterprises" in str(p) for p in pages) and any("guarantee_assignments" in str(p) for p in pages)
    for p in pages:
        assert "<script>alert(" not in p.read_text(encoding="utf-8", errors="replace"), p


def test_summary_renders_in_headless_chromium(runs, tmp_path):
    from pipelines.quality.paths import run_page

    browser = chromium()
    wh, run_id = runs["warehouse"], runs["first"].run_id
    page = run_page(wh, run_id)
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*cmd, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rows = _page_rows(dom.stdout)
    landed = query(wh, "SELECT rows_landed, rows_rejected FROM dq.ingest_files WHERE extract = 'employees' AND drop_date = ?", [D2])[0]
    assert _int(rows[("employees", D2)]["landed"]) == landed[0]
    assert _int(rows[("employees", D2)]["rejected"]) == landed[1] == len(BAD_ROWS["employees"])
    assert "bad_date: 1" in rows[("employees", D2)]["reasons"]
    assert run_id in dom.stdout
    shot = tmp_path / "summary.png"
    proc = subprocess.run([*cmd, f"--screenshot={shot}", "--window-size=1400,1800", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000, proc.stderr[-2000:]


def test_report_of_the_generated_dirty_run_counts_every_rejected_row(tiny_run):
    """On `lrm generate --dirty` drops (the shared session run): `lrm run` prints where the
    report is, and the report's per-drop rejected counts, by reason, match dq.rejected_rows
    and the generator's manifest of injected bad rows."""
    match = re.search(r"\(this run: (\S+\.html)\)", tiny_run.output)
    assert match, tiny_run.output[-2000:]
    page = Path(match.group(1))
    assert page.parent.name == "runs" and page.parent.parent == tiny_run.warehouse.parent / "dq_report"
    rows = _page_rows(page.read_text(encoding="utf-8"))
    quarantined = defaultdict(lambda: defaultdict(int))
    for extract, drop, code, n in query(tiny_run.warehouse, "SELECT extract, CAST(drop_date AS VARCHAR), split_part(reason, ':', 1), count(*) "
                                                         "FROM dq.rejected_rows GROUP BY ALL"):
        quarantined[(extract, drop)][code] = n
    for (extract, drop), row in rows.items():
        if drop == "all":
            continue
        shown = dict((c.strip(), _int(n)) for c, n in (p.split(":") for p in row["reasons"].split(",") if p.strip()))
        assert shown == dict(quarantined.get((extract, drop), {})), (extract, drop)
        assert _int(row["rejected"]) == sum(shown.values()), (extract, drop)
    with (tiny_run.landing / "_dirty_manifest.csv").open(encoding="utf-8") as fh:
        injected = list(csv.DictReader(fh))
    per_drop = defaultdict(lambda: defaultdict(int))
    for r in injected:
        per_drop[(r["extract"], r["file"].split("/")[0])][r["reason_code"]] += 1
    assert per_drop
    for key, codes in per_drop.items():
        shown = rows[key]["reasons"]
        for code, n in codes.items():
            count = int(re.search(rf"{code}: (\d+)", shown).group(1)) if code in shown else 0
            assert count >= n, (key, code, shown)
