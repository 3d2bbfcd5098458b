"""The auditor's summary: one static HTML page per run and an index linking them.

    <warehouse dir>/dq_report/index.html          every run, newest first
    <warehouse dir>/dq_report/runs/<run_id>.html  one run: per extract and drop, rows
                                                  landed / loaded / rejected by reason and
                                                  the expectations passed / warned / failed
    <warehouse dir>/dq_report/data_docs/          GX Data Docs (every validation result)

Every value from the data is HTML-escaped (names may hold `<script>` or `=HYPERLINK(…)`),
and the pages forbid scripts (Content-Security-Policy), so a hostile value renders as text.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
from collections import defaultdict
from pathlib import Path

import duckdb

from pipelines import contract
from pipelines.quality.paths import data_docs_dir, index_page, report_dir, run_page, runs_dir

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1d2430}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;background:#f3f5f9}
.passed{color:#11692d}.warned{color:#8a5a00}.failed,.blocked{color:#b00020;font-weight:600}
.meta td:first-child{font-weight:600}
code{font-size:.85rem}
"""


def e(value) -> str:
    """Escape anything for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else e(value)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">"
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _counts_cells(c: dict[str, int]) -> str:
    return (f"<td class=\"n passed\" data-field=\"passed\">{c.get('passed', 0)}</td>"
            f"<td class=\"n warned\" data-field=\"warned\">{c.get('warned', 0)}</td>"
            f"<td class=\"n failed\" data-field=\"failed\">{c.get('failed', 0)}</td>")


def render_run(con: duckdb.DuckDBPyConnection, warehouse: Path, run_id: str) -> Path:
    run = con.execute("SELECT started_at, updated_at, code_version, CAST(as_of AS VARCHAR), landing_dir, seed_versions, "
                      "expectations_passed, expectations_warned, expectations_failed, status FROM dq.run_history WHERE run_id = ?",
                      [run_id]).fetchall()
    run = run[0] if run else None
    if run is None:
        raise LookupError(f"run {run_id} has no dq.run_history row")
    started, updated, version, as_of, landing, seeds, passed, warned, failed, status = run
    seeds = json.loads(seeds or "{}")

    checks: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for asset, batch, outcome, n in con.execute(
            "SELECT asset_key, batch, outcome, count(*) FROM dq.check_results WHERE run_id = ? GROUP BY ALL", [run_id]).fetchall():
        checks[(asset, batch)][outcome] += n
    files = con.execute(
        "SELECT extract, CAST(drop_date AS VARCHAR), file, rows_landed, rows_loaded, rows_rejected, rows_unchanged "
        "FROM dq.run_ingest_files "
        "WHERE run_id = ? ORDER BY drop_date, file", [run_id]).fetchall()
    reasons: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for extract, drop, code, n in con.execute(
            "SELECT extract, CAST(drop_date AS VARCHAR), reason_code, rows FROM dq.run_rejections WHERE run_id = ? ORDER BY 3",
            [run_id]).fetchall():
        reasons[(extract, drop)][code] = n
    by_extract: dict[str, list] = defaultdict(list)
    for f in files:
        by_extract[f[0]].append(f)

    out: list[str] = [
        f"<h1>Data-quality report — run <code id=\"run-id\">{e(run_id)}</code></h1>",
        f"<p><a href=\"../index.html\">All runs</a> · <a href=\"../data_docs/index.html\">Great Expectations Data Docs</a></p>",
        "<table class=\"meta\">",
        f"<tr><td>Status</td><td id=\"status\" class=\"{e(status.split()[0])}\">{e(status)}</td></tr>",
        f"<tr><td>Run id</td><td>{e(run_id)}</td></tr>",
        f"<tr><td>Code version</td><td id=\"code-version\">{e(version)}</td></tr>",
        f"<tr><td>As of</td><td>{e(as_of)}</td></tr>",
        f"<tr><td>Landing</td><td>{e(landing)}</td></tr>",
        f"<tr><td>Checked</td><td>{e(started)} – {e(updated)}</td></tr>",
        f"<tr><td>Expectations</td><td><span class=\"passed\" id=\"total-passed\">{passed}</span> passed, "
        f"<span class=\"warned\" id=\"total-warned\">{warned}</span> warned, "
        f"<span class=\"failed\" id=\"total-failed\">{failed}</span> failed</td></tr>",
        "</table>",
    ]

    out.append("<h2>Ingestion by extract and drop</h2>")
    out.append("<p>Unchanged: the rows of a snapshot file identical to the previous drop's, counted as loaded but "
               "not written again (raw keeps a snapshot as versions).</p>")
    out.append("<table id=\"ingestion\"><thead><tr><th>Extract</th><th>Drop</th><th>File</th><th>Landed</th><th>Loaded</th>"
               "<th>Unchanged</th><th>Rejected</th><th>Rejected by reason</th><th>Passed</th><th>Warned</th><th>Failed</th></tr></thead><tbody>")
    order = [x for x in contract.ingest_order() if x in by_extract] + sorted(set(by_extract) - set(contract.EXTRACTS))
    for extract in order:
        tot = [0, 0, 0, 0]
        snapshot = extract in contract.EXTRACTS and contract.EXTRACTS[extract].kind == "snapshot"
        for _, drop, file, landed, loaded, rejected, unchanged in by_extract[extract]:
            tot = [tot[0] + landed, tot[1] + loaded, tot[2] + rejected, tot[3] + (unchanged or 0)]
            why = ", ".join(f"{e(code)}: {n}" for code, n in sorted(reasons.get((extract, drop), {}).items()))
            out.append(
                f"<tr class=\"drop\" data-extract=\"{e(extract)}\" data-drop=\"{e(drop)}\"><td>{e(extract)}</td><td>{e(drop)}</td>"
                f"<td>{e(file)}</td><td class=\"n\" data-field=\"landed\">{landed}</td><td class=\"n\" data-field=\"loaded\">{loaded}</td>"
                f"<td class=\"n\" data-field=\"unchanged\">{unchanged if snapshot and unchanged is not None else ''}</td>"
                f"<td class=\"n\" data-field=\"rejected\">{rejected}</td><td data-field=\"reasons\">{why}</td>"
                f"{_counts_cells(checks.get((f'raw/{extract}', drop), {}))}</tr>")
        all_reasons: dict[str, int] = defaultdict(int)
        for (x, _), codes in reasons.items():
            if x == extract:
                for code, n in codes.items():
                    all_reasons[code] += n
        why = ", ".join(f"{e(c)}: {n}" for c, n in sorted(all_reasons.items()))
        out.append(
            f"<tr class=\"total\" data-extract=\"{e(extract)}\" data-drop=\"all\"><td>{e(extract)}</td><td>all drops</td>"
            f"<td>reconciliation</td><td class=\"n\" data-field=\"landed\">{tot[0]}</td><td class=\"n\" data-field=\"loaded\">{tot[1]}</td>"
            f"<td class=\"n\" data-field=\"unchanged\">{tot[3] if snapshot else ''}</td>"
            f"<td class=\"n\" data-field=\"rejected\">{tot[2]}</td><td data-field=\"reasons\">{why}</td>"
            f"{_counts_cells(checks.get((f'raw/{extract}', 'all drops'), {}))}</tr>")
    out.append("</tbody></table>")

    marts = sorted({a for a, _ in checks if a.startswith("marts/")})
    out.append("<h2>Published marts</h2>")
    if marts:
        out.append("<table id=\"marts\"><thead><tr><th>Mart</th><th>Batch</th><th>Rows</th><th>Passed</th><th>Warned</th><th>Failed</th></tr></thead><tbody>")
        for asset in marts:
            for (a, batch), c in sorted(checks.items()):
                if a == asset:
                    rows = con.execute("SELECT max(element_count) FROM dq.check_results WHERE run_id = ? AND asset_key = ? AND batch = ?",
                                       [run_id, a, batch]).fetchall()[0][0]
                    out.append(f"<tr data-mart=\"{e(asset)}\"><td>{e(asset)}</td><td>{e(batch)}</td><td class=\"n\">{_n(rows)}</td>{_counts_cells(c)}</tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No mart was checked in this run (marts are not rebuilt when a blocking check on raw fails; "
                   "the last good marts stay in place).</p>")

    findings = con.execute(
        "SELECT asset_key, batch, outcome, severity, expectation, \"column\", unexpected_count, element_count, observed_value, details, description "
        "FROM dq.check_results WHERE run_id = ? AND outcome <> 'passed' ORDER BY outcome = 'warned', asset_key, batch", [run_id]).fetchall()
    out.append(f"<h2>Findings ({len(findings)})</h2>")
    if findings:
        out.append("<table id=\"findings\"><thead><tr><th>Outcome</th><th>Asset</th><th>Batch</th><th>Expectation</th><th>Column</th>"
                   "<th>Unexpected</th><th>Observed</th><th>Examples / detail</th></tr></thead><tbody>")
        for asset, batch, outcome, severity, exp, column, unexpected, count, observed, details, description in findings:
            ratio = f"{unexpected:,} of {count:,}" if unexpected is not None and count is not None else _n(unexpected)
            out.append(f"<tr class=\"{e(outcome)}\"><td class=\"{e(outcome)}\">{e(outcome)} ({e(severity)})</td><td>{e(asset)}</td>"
                       f"<td>{e(batch)}</td><td>{e(exp)}<br><small>{e(description)}</small></td><td>{e(column)}</td>"
                       f"<td class=\"n\">{e(ratio)}</td><td><code>{e(observed)}</code></td><td><code>{e(details)}</code></td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>Every expectation passed.</p>")

    out.append("<h2>Rule-seed versions in force</h2>")
    if seeds:
        out.append("<table id=\"seeds\"><thead><tr><th>Seed table (schema reference)</th><th>Latest valid_from</th></tr></thead><tbody>")
        out += [f"<tr><td>{e(t)}</td><td>{e(v)}</td></tr>" for t, v in sorted(seeds.items())]
        out.append("</tbody></table>")
    else:
        out.append("<p>No seed table is loaded yet.</p>")

    issues = con.execute("SELECT path, issue FROM dq.landing_issues ORDER BY 1").fetchall() if _has(con, "landing_issues") else []
    if issues:
        out.append("<h2>Landing issues</h2><table id=\"landing-issues\"><tbody>")
        out += [f"<tr><td>{e(p)}</td><td>{e(i)}</td></tr>" for p, i in issues]
        out.append("</tbody></table>")
    out.append(f"<p><small>Generated {e(dt.datetime.now().isoformat(timespec='seconds'))}. "
               "History: <code>dq.run_history</code>, <code>dq.check_results</code>, <code>dq.run_ingest_files</code>, "
               "<code>dq.run_rejections</code>.</small></p>")
    path = run_page(warehouse, run_id)
    _write(path, _page(f"DQ report {run_id}", "\n".join(out)))
    return path


def _has(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dq' AND table_name = ?",
                            [table]).fetchall()[0][0])


def render_index(con: duckdb.DuckDBPyConnection, warehouse: Path) -> Path:
    runs = con.execute(
        "SELECT run_id, started_at, status, code_version, CAST(as_of AS VARCHAR), expectations_passed, expectations_warned, "
        "expectations_failed FROM dq.run_history ORDER BY started_at DESC").fetchall()
    rows = []
    for run_id, started, status, version, as_of, p, w, f in runs:
        if not run_page(warehouse, run_id).exists():
            continue
        rows.append(f"<tr><td>{e(started)}</td><td><a href=\"runs/{e(run_id)}.html\">{e(run_id)}</a></td>"
                    f"<td class=\"{e(status.split()[0])}\">{e(status)}</td><td>{e(version)}</td><td>{e(as_of)}</td>"
                    f"{_counts_cells({'passed': p, 'warned': w, 'failed': f})}</tr>")
    body = ("<h1>Labour Risk Map — data-quality reports</h1>"
            "<p><a href=\"data_docs/index.html\">Great Expectations Data Docs</a> (every validation result)</p>"
            "<table id=\"runs\"><thead><tr><th>Checked</th><th>Run</th><th>Status</th><th>Code version</th><th>As of</th>"
            "<th>Passed</th><th>Warned</th><th>Failed</th></tr></thead><tbody>" + "\n".join(rows) + "</tbody></table>")
    path = index_page(warehouse)
    _write(path, _page("Labour Risk Map — data-quality reports", body))
    return path


__all__ = ["render_run", "render_index", "report_dir", "runs_dir", "data_docs_dir"]
