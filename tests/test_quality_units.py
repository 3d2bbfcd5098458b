"""The GX suites' building blocks, without a pipeline run (issue 5)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from pipelines import contract
from pipelines.identifiers import complete_id, is_valid_id
from pipelines.quality import suites


def _columns_of(suite) -> set[str]:
    out = set()
    for exp in suite.expectations:
        cfg = exp.configuration.kwargs
        out.update(c for c in [cfg.get("column"), *(cfg.get("column_list") or []), *(cfg.get("column_set") or [])] if c)
    return out


@pytest.mark.parametrize("name", list(contract.EXTRACTS))
def test_raw_suite_is_derived_from_the_contract(name):
    """Every contract column is checked, IIN columns only as worker_key (design.md)."""
    extract = contract.EXTRACTS[name]
    spec = suites.raw_spec(name)
    suite = suites.raw_suite(spec)
    checked = _columns_of(suite)
    for col in extract.columns:
        assert extract.raw_column(col.name) in checked, col.name
    assert not any(c == "iin" for c in checked)
    key = [extract.raw_column(k) for k in extract.key]
    unique = [
        e
        for e in suite.expectations
        if e.expectation_type in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
    ]
    assert (
        unique
        and (unique[0].configuration.kwargs.get("column_list") or [unique[0].configuration.kwargs["column"]]) == key
    )
    severities = {e.severity.value if hasattr(e.severity, "value") else e.severity for e in suite.expectations}
    assert severities <= {"critical", "warning"}
    # Drift is checked on what drifts: an event drop's rows, a snapshot drop's whole snapshot.
    drift = {"expect_table_row_count_to_be_between", "expect_column_distinct_values_to_contain_set"}
    in_rows = {e.expectation_type for e in suite.expectations} & drift
    if extract.kind == "snapshot":
        assert not in_rows and spec.drift
        assert {e.expectation_type for e in suites.snapshot_suite(spec).expectations} & drift
    else:
        assert bool(in_rows) == bool(spec.drift)
    # The expectation file adds drift only: no contract column list kept there.
    raw_json = (suites.EXPECTATIONS_DIR / "raw" / f"{name}.json").read_text(encoding="utf-8")
    assert "column_set" not in raw_json and "columns" not in json.loads(raw_json)


def test_batch_sql_derives_checks_in_duckdb():
    """The SQL control digit agrees with the Python one; dates, numbers, references derive."""
    con = duckdb.connect()
    con.execute(suites.id_ok_macro_sql())
    samples = [complete_id(f"{n:011d}") for n in range(0, 20000, 37)]
    samples = [s for s in samples if s] + ["123456789012", "85010130000X", "1234"]
    got = [r[0] for r in con.execute("SELECT lrm_id_ok(v) FROM unnest(?) t(v)", [samples]).fetchall()]
    assert got == [is_valid_id(s) for s in samples]

    con.execute("CREATE SCHEMA raw")
    b = complete_id("05014000001")
    # Two versions of one enterprise: it moved from region 75 (section C) to 35 (B) in the 2025-01-01 drop.
    con.execute(
        "CREATE TABLE raw.enterprises AS SELECT * FROM (VALUES "
        "(?, 'x', '10101', '751010000', 'active', '3', '2005-01-01', DATE '2024-12-01', 'e', 2, DATE '2025-01-01'), "
        "(?, 'x', '05101', '351010000', 'active', '3', '2005-01-01', DATE '2025-01-01', 'f', 2, NULL)) "
        "t(bin, name, oked, kato, status, headcount, registered_on, _drop_date, _file, _line, _until_drop)",
        [b, b],
    )
    con.execute(
        "CREATE TABLE raw.employees AS SELECT * FROM (VALUES "
        "('C1', 'k', ?, 'W1', '2024-02-30', NULL, '12.5x', DATE '2025-01-01', 'f', 2), "
        "('C2', 'k', ?, 'W1', '1900-01-01', '2020-01-01', '100', DATE '2025-01-01', 'f', 3)) "
        "t(contract_id, worker_key, bin, workplace_id, start_date, end_date, monthly_income, _drop_date, _file, _line)",
        [b, b],
    )
    con.execute(
        "CREATE TABLE raw.workplaces AS SELECT 'W1' AS workplace_id, ? AS bin, DATE '2025-01-01' AS _drop_date", [b]
    )
    df = con.sql(suites.raw_batch_sql(suites.raw_spec("employees")), params=["2025-01-01"]).to_arrow_table().to_pandas()
    assert df["start_date:parses"].tolist() == [False, True]
    assert df["start_date:in_window"].tolist()[1] is False
    assert df["monthly_income:parses"].tolist() == [False, True]
    assert df["row:end_after_start"].tolist()[1] is True
    assert df["ref:workplaces(workplace_id,bin)"].tolist() == [True, True]
    assert df["bin:checksum_ok"].tolist() == [True, True]
    # A snapshot drifts as a whole: the versions that make each drop's snapshot.
    spec = suites.raw_spec("enterprises")
    for drop, region, section in (("2024-12-01", "75", "C"), ("2025-01-01", "35", "B"), ("2025-02-01", "35", "B")):
        ent = con.sql(suites.snapshot_batch_sql(spec), params=[drop]).to_arrow_table().to_pandas()
        assert ent["dim:region"].tolist() == [region] and ent["dim:oked_section"].tolist() == [section], drop
    assert con.sql(suites.snapshot_batch_sql(spec), params=["2024-11-01"]).fetchall() == []


def test_drift_parameters_compare_with_the_previous_drop():
    spec = suites.raw_spec("enterprises")
    first = suites.drift_parameters(spec, None)
    assert first["previous_region"] == [] and first["drift2_min_rows"] == 0
    later = suites.drift_parameters(spec, {"rows": 10, "dim:region": {"75", "35"}, "dim:oked_section": {"C"}})
    assert later["previous_region"] == ["35", "75"] and later["drift2_min_rows"] == 5
    jump = suites.drift_parameters(suites.raw_spec("incidents"), {"rows": 7})
    assert jump["drift0_max_rows"] == 70


def test_iin_like_values_are_found_but_bins_are_not():
    from pipelines.quality.runner import add_iin_like_column

    iin = complete_id("85010130000")
    bin_ = complete_id("05014000001")
    table = pa.table({"evidence": [f"worker {iin} at x", f"enterprise {bin_}", None], "n": [1, 2, 3]})
    flags = add_iin_like_column(table)[suites.IIN_LIKE_COLUMN].to_list()
    assert flags == [True, False, False]


def test_a_mart_value_holding_an_iin_fails_its_blocking_check(tmp_path):
    """README: no IIN reaches a mart. Every mart suite ends with a critical expectation on
    the marker column; a mart row whose text holds an IIN fails it (a BIN does not)."""
    import great_expectations as gx

    from pipelines.quality import runner

    iin, bin_ = complete_id("85010130000"), complete_id("05014000001")
    suite = suites.mart_suite(suites.mart_spec("guarantee_gaps"))
    [check] = [e for e in suite.expectations if e.configuration.kwargs.get("column") == suites.IIN_LIKE_COLUMN]
    assert check.severity.value == suites.CRITICAL
    alone = gx.ExpectationSuite(name="unit.iin_like", expectations=[type(check)(**check.configuration.kwargs)])
    validator = runner.Validator(tmp_path / "wh.duckdb", "unit-run")
    for text, passes in ((f"enterprise {bin_}", True), (f"worker {iin}", False)):
        frame = runner.add_iin_like_column(pa.table({"evidence": [text, "ok"]})).to_pandas()
        [record] = validator.validate("marts/unit", alone, "marts.unit", text, frame)
        assert record.success is passes, text


def test_mart_suites_resolve_contract_codes_and_add_the_iin_invariant():
    for name in suites.mart_names():
        suite = suites.mart_suite(suites.mart_spec(name))
        assert any(e.configuration.kwargs.get("column") == suites.IIN_LIKE_COLUMN for e in suite.expectations)
        for e in suite.expectations:
            vs = e.configuration.kwargs.get("value_set")
            assert not (isinstance(vs, str) and vs.startswith("@")), (name, vs)
    region = suites.mart_suite(suites.mart_spec("region_risk"))
    sets = [
        e.configuration.kwargs["value_set"]
        for e in region.expectations
        if e.configuration.kwargs.get("column") == "region"
    ]
    assert sets == [list(contract.REGION_CODES)]


def test_hostile_values_are_escaped_in_data_docs_and_summary(tmp_path):
    """GX results keep unexpected values as found; every page renders them as text."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from pipelines.quality import history, report, runner, service

    warehouse = tmp_path / "wh.duckdb"
    hostile = ["<script>alert(1)</script>", '=HYPERLINK("http://evil","x")', "<img src=x onerror=alert(3)>"]
    validator = runner.Validator(warehouse, "unit-run")
    suite = gx.ExpectationSuite(
        name="unit.hostile", expectations=[gxe.ExpectColumnValuesToBeInSet(column="name", value_set=["ok"])]
    )
    records = validator.validate("raw/unit", suite, "unit.hostile", "2025-01-01", pd.DataFrame({"name": hostile}))
    assert not records[0].success and records[0].unexpected_count == 3

    con = duckdb.connect(str(warehouse))
    from pipelines.warehouse import ensure_dq

    ensure_dq(con)
    history.ensure_history(con)
    con.execute("INSERT INTO dq.landing_issues VALUES ('<svg onload=alert(4)>', 'folder name is not a drop date')")
    history.record_checks(con, "unit-run", "raw/unit", records, service.CHECK_NAMES)
    history.record_landing_issues(con, "unit-run")
    status, reasons = history.outcome(con, "unit-run", False, [])
    history.update_run(
        con, "unit-run", dt.date(2025, 1, 1), "<landing>", tmp_path / "x.html", history.RunStatus(status, reasons)
    )
    docs = report.render_validations(con, warehouse, "unit-run")
    page = report.render_run(con, warehouse, "unit-run").read_text(encoding="utf-8")
    report.render_index(con, warehouse)
    con.close()
    assert len(docs) == 1
    text = docs[0].read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    for bad in ("<script>alert", "<img src", "<svg"):
        assert bad not in page
    assert "&lt;svg onload=alert(4)&gt;" in page and "=HYPERLINK(" in page
    assert 'id="status" class="status blocked"' in page


def test_data_docs_index_lists_only_the_newest_validations(tmp_path, monkeypatch):
    """Nightly runs add validations without end: the Data Docs index lists the newest
    DOCS_INDEX_VALIDATIONS; every validation keeps its page, linked from its run's report."""
    import re

    import great_expectations as gx
    import great_expectations.expectations as gxe

    from pipelines.quality import history, report, runner, service
    from pipelines.warehouse import ensure_dq

    monkeypatch.setattr(report, "DOCS_INDEX_VALIDATIONS", 3)
    warehouse = tmp_path / "wh.duckdb"
    suite = gx.ExpectationSuite(name="unit.nightly", expectations=[gxe.ExpectColumnValuesToNotBeNull(column="x")])
    con = duckdb.connect(str(warehouse))
    ensure_dq(con)
    history.ensure_history(con)
    for night in range(5):
        validator = runner.Validator(warehouse, f"night-{night}")
        records = validator.validate(
            "raw/unit", suite, "unit.nightly", f"2025-01-0{night + 1}", pd.DataFrame({"x": [night]})
        )
        history.record_checks(con, f"night-{night}", "raw/unit", records, service.CHECK_NAMES)
        report.render_validations(con, warehouse, f"night-{night}")
    index = report.render_docs_index(con, warehouse).read_text(encoding="utf-8")
    con.close()
    docs = warehouse.parent / "dq_report" / "data_docs"
    linked = set(re.findall(r'href="(validations/[^"]+?\.html)"', index))
    assert len(linked) == 3
    assert all(any(f"night-{n}" in link for link in linked) for n in (2, 3, 4))
    assert all((docs / link).exists() for link in linked)
    assert len(list((docs / "validations").rglob("*.html"))) == 5
    assert "2 older validations" in index


# Rejection thresholds, seeds/policy/extract_thresholds.csv (project decision, in force since
# 2016-01-01): enterprises, workplaces and employees warn above 2 % of a file rejected and
# hold the run back above 10 %; every other extract (row `*`) above 5 % and 25 %. A file of
# fewer than 200 rows (block_min_rows) is too small to judge by a share: it only warns.
THRESHOLD_CASES = [
    # extract, landed, rejected, outcome
    ("enterprises", 1000, 20, "passed"),  # 2.0 %: not above the warn share
    ("enterprises", 1000, 21, "warned"),  # 2.1 %
    ("enterprises", 1000, 100, "warned"),  # 10.0 %: not above the block share
    ("enterprises", 1000, 101, "failed"),  # 10.1 %
    ("enterprises", 199, 150, "warned"),  # 75 % of a file under block_min_rows
    ("enterprises", 200, 150, "failed"),  # the same share at block_min_rows
    ("employees", 5000, 600, "failed"),
    ("complaints", 1000, 50, "passed"),  # the default row: 5.0 %
    ("complaints", 1000, 51, "warned"),
    ("complaints", 250, 100, "failed"),  # 40 %
    ("payroll", 0, 0, "passed"),  # a header-only file rejects nothing
]


@pytest.mark.parametrize("extract,landed,rejected,outcome", THRESHOLD_CASES)
def test_rejection_thresholds_by_extract(extract, landed, rejected, outcome):
    from pipelines.quality import rejections
    from pipelines.warehouse import ensure_dq

    con = duckdb.connect()
    ensure_dq(con)
    con.execute(
        "INSERT INTO dq.ingest_files (extract, drop_date, file, rows_landed, rows_loaded, rows_rejected) "
        "VALUES (?, DATE '2026-11-22', ?, ?, ?, ?)",
        [extract, f"2026-11-22/{extract}.csv", landed, landed - rejected, rejected],
    )
    [record] = rejections.evaluate(con, extract, ["2026-11-22"])
    assert record.outcome == outcome
    assert (record.element_count, record.unexpected_count, record.kind, record.check_name) == (
        landed,
        rejected,
        "threshold",
        "rejected_share",
    )
    assert rejections.evaluate(con, extract, ["2026-11-23"]) == []  # only the drops a run checks


def test_a_mart_missing_from_the_warehouse_fails_its_blocking_check(tmp_path):
    """A mart with a suite that the warehouse does not hold (a model that was not built)
    fails its blocking check, so nothing is published without it; before, an empty check
    passed. The real definitions, the mart checks alone, on a warehouse with no marts."""
    from dagster import AssetKey, DagsterInstance

    from pipelines.definitions import ALL_ASSETS_JOB, build_definitions
    from pipelines.defs.quality.checks import CRITICAL_CHECK, WARNING_CHECK
    from pipelines.defs.resources import LrmSettings

    (tmp_path / "landing").mkdir()
    settings = LrmSettings(landing_dir=str(tmp_path / "landing"), warehouse_path=str(tmp_path / "lrm.duckdb"))
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    region_risk = {
        k
        for k in graph.asset_check_keys
        if k.asset_key == AssetKey(["marts", "region_risk"]) and k.name in (CRITICAL_CHECK, WARNING_CHECK)
    }
    assert len(region_risk) == 2
    assert graph.get_check_spec(next(k for k in region_risk if k.name == CRITICAL_CHECK)).blocking
    job = defs.resolve_job_def(ALL_ASSETS_JOB).get_subset(asset_selection=set(), asset_check_selection=region_risk)
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    evaluations = {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    critical = evaluations[CRITICAL_CHECK]
    assert not critical.passed and critical.severity.value == "ERROR"
    assert "not in the warehouse" in critical.description


@pytest.mark.parametrize("extract", ["employees", "workplaces"])
def test_a_snapshot_of_contracts_or_workplaces_that_lost_half_its_rows_blocks(tmp_path, extract):
    """expectations/raw/{employees,workplaces}.json: contracts decide every guarantee and
    workplaces the List and the attestation (docs/law_and_models.md §4), so a snapshot that
    lost half its rows is a broken feed and its check blocks the run. Ingestion holds such a
    file back before (seeds/policy/extract_thresholds.csv); this is the check on the
    snapshot raw holds: drop 2 keeps 1 of drop 1's 4 rows (1 < 0.5 × 4)."""
    from pipelines.ingest.load import create_raw
    from pipelines.quality.runner import Validator, validate_raw
    from pipelines.warehouse import ensure_dq

    d1, d2 = "2025-01-31", "2025-02-28"
    b = complete_id("05014000001")
    con = duckdb.connect(str(tmp_path / "lrm.duckdb"))
    ensure_dq(con)
    for ex in contract.EXTRACTS.values():
        create_raw(con, ex)
    con.execute(
        "INSERT INTO raw.enterprises (bin, name, oked, kato, status, _drop_date, _file, _line) "
        "VALUES (?, 'x', '05101', '351010000', 'active', DATE '2025-01-31', 'f', 2)",
        [b],
    )
    for i in range(4):
        until = None if i == 0 else d2
        con.execute(
            "INSERT INTO raw.workplaces (workplace_id, bin, unit, profession, _drop_date, _file, _line, _until_drop) "
            "VALUES (?, ?, 'u', 'p', DATE '2025-01-31', 'f', ?, ?)",
            [f"W{i}", b, i + 2, until],
        )
        con.execute(
            "INSERT INTO raw.employees (contract_id, worker_key, bin, workplace_id, start_date, monthly_income, "
            "_drop_date, _file, _line, _until_drop) VALUES (?, ?, ?, 'W0', '2020-01-01', '100', DATE '2025-01-31', "
            "'f', ?, ?)",
            [f"C{i}", f"{i:032x}", b, i + 2, until],
        )
    for name in ("enterprises", "workplaces", "employees"):
        con.execute(
            "INSERT INTO dq.ingest_files (extract, drop_date, file, rows_landed, rows_loaded, rows_rejected, rows_unchanged) "
            "VALUES (?, DATE '2025-01-31', 'f', ?, ?, 0, 0)",
            [name, *([1, 1] if name == "enterprises" else [4, 4])],
        )
    con.execute(
        "INSERT INTO dq.ingest_files (extract, drop_date, file, rows_landed, rows_loaded, rows_rejected, rows_unchanged) "
        "VALUES (?, DATE '2025-02-28', 'f', 1, 1, 0, 1)",
        [extract],
    )
    records = validate_raw(con, Validator(tmp_path / "lrm.duckdb", "shrink-test"), extract, [d1, d2])
    con.close()
    shrink = [r for r in records if r.expectation == "expect_table_row_count_to_be_between"]
    assert [(r.batch, r.success) for r in shrink] == [(d1, True), (d2, False)]
    assert shrink[1].severity == suites.CRITICAL  # blocking
    assert [r for r in records if not r.success and r.severity == suites.CRITICAL] == [shrink[1]]


def test_a_failing_raw_expectation_names_the_file_and_line_of_its_rows(tmp_path):
    """Issue 13, item 5: a blocking failure names where to look (file and line), not only
    a value. A row that bypassed ingestion (written to raw by hand) with a count that is no
    number fails the critical suite, and the record shows `file:line: value`."""
    from pipelines.ingest.load import create_raw
    from pipelines.quality import runner
    from pipelines.warehouse import ensure_dq

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    create_raw(con, contract.EXTRACTS["enterprises"])
    create_raw(con, contract.EXTRACTS["inspections"])
    bin_ = complete_id("05014000001")
    con.execute(
        "INSERT INTO raw.enterprises (bin, name, oked, kato, status, _drop_date, _file, _line, _until_drop) "
        "VALUES (?, 'ТОО', '05101', '351010000', 'active', DATE '2026-11-21', '2026-11-21/enterprises.csv', 2, NULL)",
        [bin_],
    )
    con.execute(
        "INSERT INTO raw.inspections (inspection_id, bin, inspected_on, violations, _drop_date, _file, _line) "
        "VALUES ('I1', ?, '2026-01-05', '3', DATE '2026-11-21', '2026-11-21/inspections.csv', 2), "
        "('I2', ?, '2026-01-06', 'many', DATE '2026-11-21', '2026-11-21/inspections.csv', 7)",
        [bin_, bin_],
    )
    con.execute(
        "INSERT INTO dq.ingest_files (extract, drop_date, file, rows_landed, rows_loaded, rows_rejected) "
        "VALUES ('inspections', DATE '2026-11-21', '2026-11-21/inspections.csv', 2, 2, 0)"
    )
    records = runner.validate_raw(con, runner.Validator(tmp_path / "wh.duckdb", "a-run"), "inspections", ["2026-11-21"])
    failed = [r for r in records if not r.success and r.column == "violations:parses"]
    assert failed and "2026-11-21/inspections.csv:7" in failed[0].details, [r.details for r in records if not r.success]
