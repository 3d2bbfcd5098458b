"""The GX suites' building blocks, without a pipeline run (issue 5)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from pipelines import contract
from pipelines.identifiers import complete_id
from pipelines.quality import suites


def _columns_of(suite) -> set[str]:
    out = set()
    for exp in suite.expectations:
        cfg = exp.configuration.kwargs
        out.update(c for c in [cfg.get("column"), *(cfg.get("column_list") or []), *(cfg.get("column_set") or [])] if c)
    return out


@pytest.mark.parametrize("name", list(contract.EXTRACTS))
def test_raw_suite_is_derived_from_the_contract(name):
    """Every contract column is checked once: by ingestion on every landed row (the rules of
    pipelines/ingest/validate.py, recorded under their GX expectation names) or by GX on raw;
    IIN columns reach GX only as worker_key (design.md)."""
    extract = contract.EXTRACTS[name]
    spec = suites.raw_spec(name)
    suite = suites.raw_suite(spec)
    enforced = suites.enforced_expectations(extract)
    on_landed = {e.column.split(":")[0] for e in enforced if e.column}
    # A free-text column without a constraint of its own is held by the field length ("*")
    # and the columns check; every other column has its rules.
    for col in extract.columns:
        if col.required or col.type != "text" or col.length or col.digits or col.domain:
            assert col.name in on_landed, col.name
    gx_columns = _columns_of(suite)
    assert not any(c == "iin" or c.startswith("iin:") for c in gx_columns)
    assert {f"{extract.raw_column(c)}:pseudonymised" for c in extract.iin_columns} <= gx_columns
    # The key: unique within each landed file (ingestion) and within each drop's snapshot (GX).
    unique = [
        e for e in enforced if e.type in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
    ]
    assert [e.column for e in unique] == [",".join(extract.key)]
    # Nothing GX runs on raw restates a row rule ingestion enforces.
    rule_checks = [(e.type, e.arguments) for e in enforced]
    for exp in suite.expectations:
        kwargs = {k: v for k, v in exp.configuration.kwargs.items() if v is not None and k != "batch_id"}
        assert (exp.expectation_type, kwargs) not in rule_checks
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


def test_every_quarantine_reason_has_its_expectation():
    """Each reason ingestion gives a row (references aside, which GX checks on raw) belongs to
    exactly one enforced expectation, for the date of the drop it was given on."""
    drop = dt.date(2026, 11, 21)
    for name, extract in contract.EXTRACTS.items():
        from pipelines.ingest.validate import contract_rules

        reasons = [e.reasons for e in suites.enforced_expectations(extract, drop)]
        flat = [r for group in reasons for r in group]
        assert len(flat) == len(set(flat)), name
        assert sorted(flat) == sorted({r.reason for r in contract_rules(extract, drop)}), name


def test_batch_sql_derives_checks_in_duckdb():
    """A raw batch holds only what its suite reads: numbers typed, worker_keys recognised,
    references resolved across drops, drift dimensions, with each row's file and line."""
    con = duckdb.connect()
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
        "('C1', '0123456789abcdef0123456789abcdef', ?, 'W1', '2024-01-30', NULL, ' 12.5', DATE '2025-01-01', 'f', 2), "
        "('C2', ?, ?, 'W2', '2020-01-01', NULL, '100', DATE '2025-01-01', 'f', 3)) "
        "t(contract_id, worker_key, bin, workplace_id, start_date, end_date, monthly_income, _drop_date, _file, _line)",
        [b, complete_id("85010130000"), b],
    )
    con.execute(
        "CREATE TABLE raw.workplaces AS SELECT 'W1' AS workplace_id, ? AS bin, DATE '2025-01-01' AS _drop_date", [b]
    )
    spec = suites.raw_spec("employees")
    sql = suites.raw_batch_sql(spec, suites.suite_columns(suites.raw_suite(spec)))
    df = con.sql(sql, params=["2025-01-01"]).to_arrow_table().to_pandas()
    assert df["_line"].tolist() == [2, 3] and df["_file"].tolist() == ["f", "f"]
    assert df["worker_key:pseudonymised"].tolist() == [True, False]
    assert df["ref:workplaces(workplace_id,bin)"].tolist() == [True, False]
    assert df["ref:enterprises(bin)"].tolist() == [True, True]
    assert df["monthly_income:number"].tolist() == [12.5, 100.0]
    assert "start_date" not in df.columns  # ingestion checked it; GX does not read it again
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
    a value. A row that bypassed ingestion (written to raw by hand) with an IIN where a
    worker_key belongs fails the critical suite, and the record shows `file:line` and no IIN."""
    from pipelines.ingest.load import create_raw
    from pipelines.quality import runner
    from pipelines.warehouse import ensure_dq

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    for name in ("enterprises", "workplaces", "employees"):
        create_raw(con, contract.EXTRACTS[name])
    bin_, iin = complete_id("05014000001"), complete_id("85010130000")
    con.execute(
        "INSERT INTO raw.enterprises (bin, name, oked, kato, status, _drop_date, _file, _line, _until_drop) "
        "VALUES (?, 'ТОО', '05101', '351010000', 'active', DATE '2026-11-21', '2026-11-21/enterprises.csv', 2, NULL)",
        [bin_],
    )
    con.execute(
        "INSERT INTO raw.workplaces (workplace_id, bin, unit, profession, _drop_date, _file, _line, _until_drop) "
        "VALUES ('W1', ?, 'u', 'p', DATE '2026-11-21', '2026-11-21/workplaces.csv', 2, NULL)",
        [bin_],
    )
    con.execute(
        "INSERT INTO raw.employees (contract_id, worker_key, bin, workplace_id, start_date, _drop_date, _file, _line, "
        "_until_drop) VALUES ('C1', '0123456789abcdef0123456789abcdef', ?, 'W1', '2026-01-05', DATE '2026-11-21', "
        "'2026-11-21/employees.csv', 2, NULL), ('C2', ?, ?, 'W1', '2026-01-06', DATE '2026-11-21', "
        "'2026-11-21/employees.csv', 7, NULL)",
        [bin_, iin, bin_],
    )
    con.execute(
        "INSERT INTO dq.ingest_files (extract, drop_date, file, rows_landed, rows_loaded, rows_rejected) "
        "VALUES ('employees', DATE '2026-11-21', '2026-11-21/employees.csv', 2, 2, 0)"
    )
    records = runner.validate_raw(con, runner.Validator(tmp_path / "wh.duckdb", "a-run"), "employees", ["2026-11-21"])
    failed = [r for r in records if not r.success and r.severity == suites.CRITICAL]
    assert [r.column for r in failed] == ["worker_key:pseudonymised"], [(r.column, r.details) for r in failed]
    assert "2026-11-21/employees.csv:7" in failed[0].details and iin not in failed[0].details


def test_rules_enforced_at_ingestion_are_recorded_with_their_quarantined_rows(tmp_path):
    """Issue 18, item 3: what ingestion enforces row by row is recorded under the GX
    expectation that states it, with the landed rows, the rows it quarantined and where they
    landed; the raw suite does not read those columns again."""
    from pipelines.ingest.landing import scan_landing
    from pipelines.ingest.load import ingest_extract
    from pipelines.quality import runner
    from pipelines.warehouse import ensure_dq

    drop = "2026-11-21"
    root = tmp_path / "landing"
    (root / drop).mkdir(parents=True)
    bin_ = complete_id("05014000001")
    (root / drop / "enterprises.csv").write_text(
        f"bin,name,oked,kato,status,headcount,registered_on\n{bin_},ТОО,05101,351010000,active,3,2005-01-01\n",
        encoding="utf-8",
    )
    (root / drop / "inspections.csv").write_text(
        "inspection_id,bin,inspected_on,violations\n"
        f"I1,{bin_},2026-01-05,3\nI2,{bin_},2026-01-06,many\nI3,{bin_},2026-01-07,-1\nI4,{bin_},2026-13-01,0\n",
        encoding="utf-8",
    )
    (root / drop / "_SUCCESS").touch()
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    landing = scan_landing(root)
    for name in ("enterprises", "inspections"):
        ingest_extract(con, landing, contract.EXTRACTS[name], b"k" * 32)
    records = runner.validate_raw(con, runner.Validator(tmp_path / "wh.duckdb", "a-run"), "inspections", [drop])
    by = {(r.expectation, r.column): r for r in records}
    parses = by[("expect_column_values_to_be_in_set", "violations:parses")]
    assert (parses.success, parses.element_count, parses.unexpected_count) == (True, 4, 1)
    assert json.loads(parses.details) == [f"{drop}/inspections.csv:3"]
    assert by[("expect_column_values_to_be_between", "violations:number")].unexpected_count == 1
    assert by[("expect_column_values_to_be_in_set", "inspected_on:parses")].unexpected_count == 1
    assert by[("expect_column_values_to_not_be_null", "bin")].unexpected_count == 0
    assert by[("expect_table_columns_to_match_set", None)].success
    gx_run = {
        (r.expectation, r.column) for r in records if r.observed_value is None or "ingestion" not in r.observed_value
    }
    assert ("expect_column_values_to_be_in_set", "ref:enterprises(bin)") in gx_run
    assert all(r.success for r in records), [r for r in records if not r.success]


def test_a_mart_validated_in_slices_gets_the_counts_of_the_whole(tmp_path, monkeypatch):
    """Issue 18, item 2: a mart is validated a bounded slice at a time; the records of its
    row-by-row expectations add up to what one pass over the whole mart gives."""
    from pipelines.quality import runner

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA marts")
    keys = [f"{i:032x}" for i in range(7)]
    con.execute(
        "CREATE TABLE marts.guarantee_gaps AS SELECT * FROM (VALUES "
        + ", ".join(
            f"('{k}', '050140000011', 'milk', '{'bogus' if i in (2, 5) else 'not_granted'}', "
            f"{-1 if i == 6 else 3}.0, 0.0, 'evidence {i}')"
            for i, k in enumerate(keys)
        )
        + ") t(worker_key, bin, guarantee, gap_kind, entitled_volume, granted_volume, evidence)"
    )
    validator = runner.Validator(tmp_path / "wh.duckdb", "slices")
    whole = runner.validate_mart(con, validator, "guarantee_gaps")
    monkeypatch.setattr(runner, "MART_SLICE_ROWS", 3)
    sliced = runner.validate_mart(con, validator, "guarantee_gaps")
    shape = [(r.expectation, r.column, r.batch, r.success, r.element_count, r.unexpected_count) for r in whole]
    assert [(r.expectation, r.column, r.batch, r.success, r.element_count, r.unexpected_count) for r in sliced] == shape
    gap_kind = next(r for r in sliced if r.column == "gap_kind")
    assert (gap_kind.success, gap_kind.element_count, gap_kind.unexpected_count) == (False, 7, 2)
