"""The auditor's report: static HTML pages rendered from the dq history tables with the
Jinja2 templates of pipelines/quality/templates/ (autoescaped).

    <warehouse dir>/dq_report/index.html                 every run, newest first, with its status
    <warehouse dir>/dq_report/runs/<run_id>.html         one run: status and why, every check by kind
                                                         (GX, dbt tests, model contracts, rejection
                                                         thresholds), ingestion per extract and drop,
                                                         rejected rows, published marts
    <warehouse dir>/dq_report/runs/<run_id>.dbt.html     every dbt test and contract of the run
    <warehouse dir>/dq_report/data_docs/index.html       Data Docs: GX validations and suites
    <warehouse dir>/dq_report/data_docs/validations/<run_id>/<asset>__<batch>__<suite>.html
    <warehouse dir>/dq_report/data_docs/suites/<suite>.html

Every value from the data is escaped by the templates (names may hold `<script>` or
`=HYPERLINK(…)`) and IIN-looking values are masked; the pages hold no script, load
nothing from anywhere (Content-Security-Policy `default-src 'none'`) and link only to
each other, so they open from files on a machine with no network. Numbers carry a
thousands separator (a narrow no-break space, read alike in English and Russian),
timestamps their time zone (OPERATIONS_TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from pipelines import contract
from pipelines.masking import mask_iins
from pipelines.quality import suites
from pipelines.quality.history import REJECTED_ROWS_KEPT
from pipelines.quality.paths import data_docs_dir, index_page, run_page, runs_dir
from pipelines.quality.rejections import SEED_PATH as THRESHOLDS_SEED
from pipelines.quality.runner import CONTRACT, DBT, GX, NOT_ARGUMENTS, THRESHOLD
from pipelines.timezone import OPERATIONS_TIME_ZONE

DOCS_INDEX_VALIDATIONS = 1_000  # newest validations listed in the Data Docs index; older ones via their run
_THOUSANDS = "\u202f"
_RU = {
    "passed": "пройдено",
    "passed with warnings": "пройдено с предупреждениями",
    "warned": "предупреждение",
    "failed": "ошибка",
    "blocked": "заблокировано",
    "running": "выполняется",
    "skipped": "пропущено",
}
_KINDS = [  # kind, English, Russian, where its details are
    (THRESHOLD, "Rejection thresholds (landing contract)", "Пороги отбраковки (контракт выгрузок)", "#ingestion"),
    (GX, "Great Expectations expectations", "Ожидания Great Expectations", "#gx"),
    (DBT, "dbt tests", "Тесты dbt", "#dbt"),
    (CONTRACT, "dbt model contracts", "Контракты моделей dbt", "#contracts"),
]


def _n(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", _THOUSANDS)
    return f"{int(value):,}".replace(",", _THOUSANDS)


def _pct(value, digits: int = 1) -> str:
    return "" if value is None else f"{100 * value:.{digits}f}\u00a0%"


def _ts(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(OPERATIONS_TIME_ZONE)
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"
    return str(value)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    n=_n,
    pct=_pct,
    pct0=lambda v: _pct(v, 0),
    ts=_ts,
    ru=lambda s: _RU.get(str(s), ""),
    mask=lambda s: mask_iins(str(s)),
)


def _render(template: str, path: Path, **context: Any) -> Path:
    text = _env.get_template(template).render(
        generated=dt.datetime.now(dt.UTC), tz_name=OPERATIONS_TIME_ZONE.key, **context
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def validation_file(asset_key: str, batch: str, suite: str) -> str:
    return f"{slug(asset_key)}__{slug(batch)}__{slug(suite)}.html"


def validation_page(warehouse: Path, run_id: str, asset_key: str, batch: str, suite: str) -> Path:
    """The Data Docs page of one validation (asset, batch, suite) of a run."""
    return data_docs_dir(warehouse) / "validations" / run_id / validation_file(asset_key, batch, suite)


def dbt_page(warehouse: Path, run_id: str) -> Path:
    """The report page of a run's dbt tests and model contracts."""
    return runs_dir(warehouse) / f"{run_id}.dbt.html"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _status_class(status: str) -> str:
    return status.split()[0]


def _run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    runs = _rows(con, "SELECT * FROM dq.run_history WHERE run_id = ?", [run_id])
    if not runs:
        raise LookupError(f"run {run_id} has no dq.run_history row")
    run = runs[0]
    run["reasons"] = json.loads(run.get("status_reasons") or "[]")
    run["status_class"] = _status_class(run["status"])
    return run


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {"passed": 0, "warned": 0, "failed": 0, "skipped": 0}
    for r in rows:
        out[r["outcome"]] = out.get(r["outcome"], 0) + r.get("n", 1)
    out["total"] = sum(out[k] for k in ("passed", "warned", "failed", "skipped"))
    return out


def _link(run_id: str, check: dict[str, Any]) -> str:
    """Where a check's details are, relative to the run page."""
    kind = check["check_kind"]
    if kind == GX:
        return (
            f"../data_docs/validations/{run_id}/{validation_file(check['asset_key'], check['batch'], check['suite'])}"
        )
    if kind == THRESHOLD:
        return (
            f"#rejected-{check['asset_key'].split('/', 1)[-1]}-{check['batch']}"
            if check.get("unexpected_count")
            else "#ingestion"
        )
    return f"{run_id}.dbt.html#{_test_anchor(check)}"


def _test_anchor(check: dict[str, Any]) -> str:
    return "t-" + slug(f"{check['asset_key']}-{check['check_name']}")


def _model_anchor(asset_key: str) -> str:
    return "m-" + slug(asset_key)


def render_run(con: duckdb.DuckDBPyConnection, warehouse: Path, run_id: str) -> Path:
    """Renders a run's report page: counts by kind of check, the failures and warnings, and each
    extract's files, rejections and checks."""
    run = _run(con, run_id)
    checks = _rows(
        con, "SELECT * FROM dq.check_results WHERE run_id = ? ORDER BY asset_key, batch, check_name", [run_id]
    )
    for c in checks:
        c["link"] = _link(run_id, c)
        c["check"] = c["expectation"] if c["check_kind"] == GX else c["check_name"]
        c["kind"] = c["check_kind"]

    kinds = []
    for kind, en, ru, link in _KINDS:
        mine = [c for c in checks if c["check_kind"] == kind]
        kinds.append(
            {
                "kind": kind,
                "en": en,
                "ru": ru,
                "link": link if kind != DBT or not mine else dbt_page(warehouse, run_id).name,
                "link_text": "details · подробно",
                **_counts(mine),
            }
        )
    totals = _counts(checks)
    order = {"failed": 0, "warned": 1}
    findings = sorted(
        (c for c in checks if c["outcome"] in order),
        key=lambda c: (order[c["outcome"]], c["check_kind"], c["asset_key"], c["batch"]),
    )

    files = _rows(
        con,
        "SELECT extract, CAST(drop_date AS VARCHAR) AS drop, file, rows_landed AS landed, rows_loaded AS loaded, "
        "rows_rejected AS rejected, rows_unchanged AS unchanged FROM dq.run_ingest_files WHERE run_id = ? "
        "ORDER BY drop_date, file",
        [run_id],
    )
    reasons: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in _rows(
        con,
        "SELECT extract, CAST(drop_date AS VARCHAR) AS drop, reason_code, rows FROM dq.run_rejections "
        "WHERE run_id = ? ORDER BY 3",
        [run_id],
    ):
        reasons[(r["extract"], r["drop"])][r["reason_code"]] = r["rows"]
    gx_by_batch: dict[tuple[str, str], list] = defaultdict(list)
    thresholds: dict[tuple[str, str], dict[str, Any]] = {}
    for c in checks:
        if c["check_kind"] == GX:
            gx_by_batch[(c["asset_key"], c["batch"])].append(c)
        elif c["check_kind"] == THRESHOLD:
            rules = json.loads(c["arguments"] or "{}")
            thresholds[(c["asset_key"], c["batch"])] = {
                "outcome": c["outcome"],
                "warn": rules.get("warn_share"),
                "block": rules.get("block_share"),
                "min_rows": rules.get("block_min_rows"),
            }
    by_extract: dict[str, list] = defaultdict(list)
    for f in files:
        by_extract[f["extract"]].append(f)
    extracts = []
    for extract in [x for x in contract.ingest_order() if x in by_extract] + sorted(
        set(by_extract) - set(contract.EXTRACTS)
    ):
        snapshot = extract in contract.EXTRACTS and contract.EXTRACTS[extract].kind == "snapshot"
        rows, all_reasons = [], defaultdict(int)
        for f in by_extract[extract]:
            mine = reasons.get((extract, f["drop"]), {})
            for code, n in mine.items():
                all_reasons[code] += n
            rows.append(
                {
                    **f,
                    "unchanged": f["unchanged"] if snapshot else None,
                    "reasons": sorted(mine.items()),
                    "share": f["rejected"] / f["landed"] if f["landed"] else None,
                    "threshold": thresholds.get((f"raw/{extract}", f["drop"])),
                    "gx": _counts(gx_by_batch.get((f"raw/{extract}", f["drop"]), [])),
                }
            )
        landed, rejected = sum(f["landed"] for f in rows), sum(f["rejected"] for f in rows)
        extracts.append(
            {
                "extract": extract,
                "files": rows,
                "landed": landed,
                "loaded": sum(f["loaded"] for f in rows),
                "rejected": rejected,
                "share": rejected / landed if landed else None,
                "unchanged": sum(f["unchanged"] or 0 for f in rows) if snapshot else None,
                "reasons": sorted(all_reasons.items()),
                "gx": _counts(gx_by_batch.get((f"raw/{extract}", "all drops"), [])),
            }
        )

    validations = []
    for (asset, batch), mine in gx_by_batch.items():
        for suite in sorted({c["suite"] for c in mine}):
            these = [c for c in mine if c["suite"] == suite]
            validations.append(
                {
                    "asset_key": asset,
                    "batch": batch,
                    "suite": suite,
                    "link": these[0]["link"],
                    "rows": max((c["element_count"] or 0 for c in these), default=None),
                    **_counts(these),
                }
            )
    validations.sort(key=lambda v: (not v["asset_key"].startswith("raw/"), v["asset_key"], v["batch"], v["suite"]))

    dbt_models = []
    by_model: dict[str, list] = defaultdict(list)
    for c in checks:
        if c["check_kind"] == DBT:
            by_model[c["asset_key"]].append(c)
    for asset in sorted(by_model):
        dbt_models.append({"asset_key": asset, "anchor": _model_anchor(asset), **_counts(by_model[asset])})
    contracts = [c for c in checks if c["check_kind"] == CONTRACT]

    published = _rows(
        con,
        "SELECT table_name, rows, location FROM dq.run_published WHERE run_id = ? AND table_name LIKE 'marts.%' "
        "ORDER BY table_name",
        [run_id],
    )
    previous = _rows(
        con,
        "SELECT p.run_id, max(p.published_at) AS published_at FROM dq.run_published p "
        "JOIN dq.run_history h USING (run_id) WHERE p.run_id <> ? AND h.started_at <= ? "
        "GROUP BY p.run_id ORDER BY 2 DESC LIMIT 1",
        [run_id, run["started_at"]],
    )

    rejected = []
    totals_by_file = {(f["extract"], f["drop"]): f["rejected"] for f in files}
    kept = _rows(
        con,
        'SELECT extract, CAST(drop_date AS VARCHAR) AS drop, file, line, "column", reason, raw_record '
        "FROM dq.run_rejected_rows WHERE run_id = ? ORDER BY extract, drop_date, file, line",
        [run_id],
    )
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for r in kept:
        grouped[(r["extract"], r["drop"])].append(r)
    order_of = {x: i for i, x in enumerate(contract.ingest_order())}
    for (extract, drop), rows in sorted(grouped.items(), key=lambda kv: (order_of.get(kv[0][0], 99), kv[0])):
        rejected.append(
            {
                "extract": extract,
                "drop": drop,
                "rows": rows,
                "shown": len(rows),
                "total": totals_by_file.get((extract, drop), len(rows)),
            }
        )

    issues = con.execute(
        "SELECT path, issue FROM dq.run_landing_issues WHERE run_id = ? ORDER BY 1", [run_id]
    ).fetchall()
    seeds = sorted(json.loads(run.get("seed_versions") or "{}").items())
    path = run_page(warehouse, run_id)
    _render(
        "run.html",
        path,
        run=run,
        kinds=kinds,
        totals=totals,
        findings=findings,
        extracts=extracts,
        validations=validations,
        dbt_models=dbt_models,
        contracts=contracts,
        published=published,
        published_location=published[0]["location"] if published else "",
        previous_publish=previous[0] if previous else None,
        rejected=rejected,
        kept=REJECTED_ROWS_KEPT,
        landing_issues=issues,
        seeds=seeds,
        thresholds_seed=THRESHOLDS_SEED,
        dbt_page=dbt_page(warehouse, run_id).name,
    )
    return path


def render_dbt(con: duckdb.DuckDBPyConnection, warehouse: Path, run_id: str) -> Path:
    """Renders the page of a run's dbt tests and model contracts, grouped by model."""
    checks = _rows(
        con,
        "SELECT * FROM dq.check_results WHERE run_id = ? AND check_kind IN (?, ?) "
        "ORDER BY asset_key, check_kind = 'contract' DESC, check_name",
        [run_id, DBT, CONTRACT],
    )
    by_model: dict[str, list] = defaultdict(list)
    for c in checks:
        c["anchor"], c["check"] = _test_anchor(c), c["check_name"]
        by_model[c["asset_key"]].append(c)
    models = [
        {"asset_key": a, "anchor": _model_anchor(a), "tests": tests, **_counts(tests)}
        for a, tests in sorted(by_model.items())
    ]
    return _render("dbt.html", dbt_page(warehouse, run_id), run_id=run_id, models=models)


def render_validations(con: duckdb.DuckDBPyConnection, warehouse: Path, run_id: str) -> list[Path]:
    """One Data Docs page per GX suite and batch of the run: every expectation, what it
    expected, what it observed."""
    checks = _rows(
        con,
        "SELECT * FROM dq.check_results WHERE run_id = ? AND check_kind = ? ORDER BY asset_key, batch, suite, "
        "outcome = 'passed', expectation, \"column\"",
        [run_id, GX],
    )
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for c in checks:
        groups[(c["asset_key"], c["batch"], c["suite"])].append(c)
    pages = []
    for (asset, batch, suite), exps in groups.items():
        counts = _counts(exps)
        outcome = "failed" if counts["failed"] else ("warned" if counts["warned"] else "passed")
        v = {
            "asset_key": asset,
            "batch": batch,
            "suite": suite,
            "suite_file": f"{slug(suite)}.html",
            "outcome": outcome,
            "checked_at": max(e["checked_at"] for e in exps),
            **counts,
        }
        pages.append(
            _render(
                "validation.html",
                validation_page(warehouse, run_id, asset, batch, suite),
                run_id=run_id,
                v=v,
                expectations=exps,
            )
        )
    return pages


def _suite_rows() -> list[dict[str, Any]]:
    """Every GX suite the pipeline runs, as the Data Docs list them; a raw suite with the
    contract rules ingestion enforces first."""
    built: list[tuple[Any, list[dict[str, Any]]]] = []
    for name in contract.ingest_order():
        spec = suites.raw_spec(name)
        enforced = [
            {
                "type": e.type,
                "column": e.column,
                "severity": suites.CRITICAL,
                "arguments": _arguments(e.arguments),
                "description": e.description,
            }
            for e in suites.enforced_expectations(spec.extract)
        ]
        built.append((suites.raw_suite(spec), enforced))
        if spec.extract.kind == "snapshot":
            built.append((suites.snapshot_suite(spec), []))
        built.append((suites.reconciliation_suite(spec.extract), []))
    built += [(suites.mart_suite(suites.mart_spec(m)), []) for m in suites.mart_names()]
    out = []
    for suite, expectations in built:
        expectations = list(expectations)
        for exp in suite.expectations:
            kwargs = exp.configuration.kwargs
            column = (
                kwargs.get("column")
                or ", ".join(kwargs.get("column_list") or [])
                or (f"{kwargs['column_A']} = {kwargs['column_B']}" if kwargs.get("column_A") else None)
            )
            severity = getattr(exp.severity, "value", exp.severity)
            expectations.append(
                {
                    "type": exp.expectation_type,
                    "column": column,
                    "severity": severity,
                    "arguments": _arguments(kwargs),
                    "description": exp.description,
                }
            )
        out.append(
            {
                "name": suite.name,
                "file": f"{slug(suite.name)}.html",
                "count": len(expectations),
                "source": (suite.meta or {}).get("source", ""),
                "expectations": expectations,
            }
        )
    return out


def _arguments(kwargs: dict[str, Any]) -> str:
    """What an expectation expects, without the column it is about."""
    args = {k: v for k, v in kwargs.items() if k not in NOT_ARGUMENTS}
    return json.dumps(args, ensure_ascii=False, default=str)[:2000]


def render_docs_index(con: duckdb.DuckDBPyConnection, warehouse: Path) -> Path:
    """The Data Docs index (the newest DOCS_INDEX_VALIDATIONS validations, every suite) and
    the suite pages."""
    rows = _rows(
        con,
        "SELECT run_id, asset_key, batch, suite, max(checked_at) AS checked_at, "
        "count(*) FILTER (outcome = 'passed') AS passed, count(*) FILTER (outcome = 'warned') AS warned, "
        "count(*) FILTER (outcome = 'failed') AS failed, count(*) OVER () AS total "
        "FROM dq.check_results WHERE check_kind = ? GROUP BY ALL ORDER BY checked_at DESC, asset_key, batch LIMIT ?",
        [GX, DOCS_INDEX_VALIDATIONS],
    )
    for r in rows:
        r["outcome"] = "failed" if r["failed"] else ("warned" if r["warned"] else "passed")
        r["link"] = f"validations/{r['run_id']}/{validation_file(r['asset_key'], r['batch'], r['suite'])}"
    suite_rows = _suite_rows()
    for s in suite_rows:
        _render("suite.html", data_docs_dir(warehouse) / "suites" / s["file"], suite=s)
    more = (rows[0]["total"] - len(rows)) if rows else 0
    return _render(
        "docs_index.html", data_docs_dir(warehouse) / "index.html", validations=rows, suites=suite_rows, more=more
    )


def render_index(con: duckdb.DuckDBPyConnection, warehouse: Path) -> Path:
    """Renders the report's index: every run that has a page, newest first, with its status and
    reasons."""
    runs = _rows(
        con,
        "SELECT h.*, (SELECT count(*) FROM dq.run_published p WHERE p.run_id = h.run_id "
        "AND p.table_name LIKE 'marts.%') AS published FROM dq.run_history h ORDER BY started_at DESC",
        [],
    )
    shown = []
    for r in runs:
        if not run_page(warehouse, r["run_id"]).exists():
            continue
        r["reasons"] = json.loads(r.get("status_reasons") or "[]")
        r["status_class"] = _status_class(r["status"])
        shown.append(r)
    return _render("index.html", index_page(warehouse), runs=shown)


__all__ = [
    "render_run",
    "render_dbt",
    "render_validations",
    "render_docs_index",
    "render_index",
    "dbt_page",
    "validation_page",
]
