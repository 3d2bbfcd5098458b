"""`make bench`: the national-scale benchmark (issue 6).

1. generate (or reuse) the national landing directory;
2. a full run on a fresh warehouse, with wall time and peak memory per step;
3. dbt per model, from dbt's run_results.json;
4. the floor: the same compiled model SQL run directly in one DuckDB process;
5. an incremental run for a new drop that changes 1% of rows, and that drop's reach: the
   enterprises it touches and their share of the contracts (docs/design.md, "Incremental runs");
6. a full rebuild of the same landing on a fresh warehouse, and every table the landing
   decides compared with the incremental warehouse's: they must hold the same rows;
7. the map app on the full run's published copy: how long the map page and the card of
   the enterprise with the most assignments take to render in headless Chromium;
8. what the full run's data exercises (pipelines/data_coverage.py): the share of
   enterprises each ЦКТР-style indicator reaches, the rules and gap kinds that occur, the
   factor mix beside the official figures.
Results: var/bench/results.json and a table on stdout.

`python -m pipelines.bench app [PUBLISHED_COPY]` runs step 7 alone (default: the bench's
national copy), e.g. on the published copy of `make run`. `python -m pipelines.bench scale`
(`make bench-scale`) runs the whole-workforce landing (`--scale workforce`) in full and adds
its outcome under `workforce` in the same results.json.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipelines import REPO_ROOT, contract, data_coverage
from pipelines.app.launch import launch_chromium, serve
from pipelines.defs.dbt.project import dbt_target_dir
from pipelines.pseudonym import key_file_for
from pipelines.publish import ANALYST_FILE, published_dir
from pipelines.warehouse import SNAPSHOT_UNTIL, ident, in_snapshot_of
from pipelines.warehouse_diff import differing_tables

VAR = REPO_ROOT / "var"
BENCH = VAR / "bench"
LANDING = VAR / "landing" / "national"


def _lrm(*args: str, env: dict[str, str] | None = None, check: bool = True) -> tuple[float, int]:
    """`lrm ARGS` in a child process: (wall seconds, exit code); a failure raises unless
    `check` is off."""
    started = time.perf_counter()
    code = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], check=check, env={**os.environ, **(env or {})}
    ).returncode
    return time.perf_counter() - started, code


def _complete(landing: Path) -> bool:
    return landing.is_dir() and any((d / contract.SUCCESS_MARKER).exists() for d in landing.iterdir() if d.is_dir())


def generate() -> dict:
    """Generates the national landing directory, or reuses a complete one; its wall time and
    peak memory."""
    if _complete(LANDING):
        return {"reused": str(LANDING)}
    seconds, _ = _lrm("generate", "--out", str(LANDING), "--scale", "national", "--seed", "42")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1)}


def _landed_rows(landing: Path) -> dict[str, int]:
    rows: dict[str, int] = {}
    for drop in sorted(p for p in landing.iterdir() if p.is_dir()):
        for f in drop.glob("*.csv"):
            with f.open("rb") as fh:
                rows[f.stem] = rows.get(f.stem, 0) + sum(1 for _ in fh) - 1
    return rows


def load_floor(landing: Path, out: Path) -> dict:
    """The floor of ingestion: DuckDB alone reading every landed CSV of every drop into one
    table per extract (its own type detection, no validation, no keys, no quarantine), in
    one process, into a fresh database file — what loading the bytes costs at least."""
    files: dict[str, list[str]] = {}
    for drop in sorted(p for p in landing.iterdir() if p.is_dir()):
        for f in sorted(drop.glob("*.csv")):
            files.setdefault(f.stem, []).append(str(f))
    if out.exists():
        out.unlink()
    con = duckdb.connect(str(out), config={"memory_limit": "4GB"})
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    rows = 0
    for extract, paths in sorted(files.items()):
        table = ident(extract)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, union_by_name = true)", [paths])
        rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    out.unlink()
    return {
        "extracts": len(files),
        "files": sum(len(v) for v in files.values()),
        "rows": rows,
        "seconds": round(seconds, 2),
    }


def dbt_models(target: Path) -> list[dict]:
    """Every dbt node's status and seconds, from the run's run_results.json."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [{"node": r["unique_id"], "status": r["status"], "seconds": round(r["execution_time"], 3)} for r in results]


def floor(warehouse: Path, target: Path) -> dict:
    """Every model's compiled SQL, in dbt's execution order, in one DuckDB process."""
    manifest = json.loads((target / "manifest.json").read_text())
    order = [
        r["unique_id"]
        for r in json.loads((target / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("model.")
    ]
    con = duckdb.connect(str(warehouse))
    started = time.perf_counter()
    for uid in order:
        node = manifest["nodes"][uid]
        compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
        sql = compiled.read_text()
        kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
        con.execute(f'CREATE OR REPLACE {kind} "{node["schema"]}"."{node["alias"]}" AS {sql}')
    seconds = time.perf_counter() - started
    con.close()
    return {"models": len(order), "seconds": round(seconds, 2)}


def incremental_landing(base: Path, out: Path, share: float = 0.01) -> str:
    """A copy of the landing (its files hard-linked: the pipeline refuses links that lead out
    of the landing directory) plus a new drop that changes `share` of rows."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    drops = sorted(p for p in base.iterdir() if p.is_dir() and (p / contract.SUCCESS_MARKER).exists())
    for d in drops:
        (out / d.name).mkdir()
        for f in d.iterdir():
            os.link(f, out / d.name / f.name)
    newest = drops[-1]
    new_date = (date.fromisoformat(newest.name) + timedelta(days=1)).isoformat()
    new = out / new_date
    new.mkdir()
    rng = random.Random(1)
    for name, extract in contract.EXTRACTS.items():
        src = newest / f"{name}.csv"
        if not src.exists():
            continue
        with src.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = list(reader)
        if extract.kind == "snapshot":
            changed = _change_rows(rows, header, extract, rng, share)  # the full snapshot, 1% changed
        else:
            changed = _change_rows(
                rng.sample(rows, min(len(rows), max(1, int(len(rows) * share)))), header, extract, rng, 1.0
            )
        with (new / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(changed)
    (new / contract.SUCCESS_MARKER).touch()
    return new_date


def drop_reach(con: duckdb.DuckDBPyConnection, drop: str) -> dict:
    """What a loaded drop touches: the enterprises (in its snapshot) with a row it added,
    changed or ended in any extract, and their share of the snapshot's contracts. That share
    is the least an incremental rebuild by enterprise would redo. A row without a BIN counts
    for the BIN of its workplace; regional statistics touch no enterprise."""
    d = "CAST($drop AS DATE)"
    touched = []
    for name, extract in contract.EXTRACTS.items():
        changed = f"r._drop_date = {d}" + (f" OR r.{SNAPSHOT_UNTIL} = {d}" if extract.kind == "snapshot" else "")
        if "bin" in extract.column_names:
            touched.append(f"SELECT r.bin FROM raw.{name} r WHERE {changed}")
        elif "workplace_id" in extract.column_names:
            touched.append(
                f"SELECT w.bin FROM raw.{name} r JOIN raw.workplaces w ON w.workplace_id = r.workplace_id "
                f"AND {in_snapshot_of('w', d)} WHERE {changed}"
            )
    ((enterprises, touched_enterprises, contracts, touched_contracts),) = con.execute(
        f"""
        WITH touched AS ({" UNION ".join(touched)}),
        enterprises AS (SELECT bin, bin IN (SELECT bin FROM touched) AS hit FROM raw.enterprises e WHERE {in_snapshot_of("e", d)}),
        contracts AS (SELECT e.hit FROM raw.employees c JOIN enterprises e USING (bin) WHERE {in_snapshot_of("c", d)})
        SELECT (SELECT count(*) FROM enterprises), (SELECT count(*) FILTER (WHERE hit) FROM enterprises),
               count(*), count(*) FILTER (WHERE hit)
        FROM contracts""",
        {"drop": drop},
    ).fetchall()
    return {
        "drop": drop,
        "enterprises": enterprises,
        "enterprises_touched": touched_enterprises,
        "enterprises_touched_share": round(touched_enterprises / enterprises, 3) if enterprises else None,
        "contracts": contracts,
        "contracts_of_touched_enterprises": touched_contracts,
        "contracts_of_touched_enterprises_share": round(touched_contracts / contracts, 3) if contracts else None,
    }


def _change_rows(rows, header, extract, rng, share):
    numeric = [
        i
        for i, h in enumerate(header)
        if h in extract.column_names and extract.column(h).type == "decimal" and h not in extract.key
    ]
    if not numeric:
        return rows
    for row in rows:
        if rng.random() < share:
            i = rng.choice(numeric)
            try:
                row[i] = f"{float(row[i]) * 1.01:.2f}" if row[i] else row[i]
            except ValueError:
                pass
    return rows


def app_timings(published: Path, loads: int = 5) -> dict:
    """Seconds from navigation until the page is drawn, measured in the browser: the map
    page until the 20 regions of the measure's layer are painted, the enterprise card until
    its last table is there. The first load of each also fetches Dash's and Plotly's
    scripts; the rest find them in the browser's cache, as a reader's next page does."""
    from playwright.sync_api import sync_playwright

    with duckdb.connect(str(published), read_only=True) as con:
        bin_, assignments = con.execute(
            "SELECT bin, count(*) FROM marts.guarantee_assignments GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        enterprises = con.execute("SELECT count(*) FROM marts.enterprise_risk").fetchone()[0]

    def timed(page, url: str, ready: str) -> float:
        start = time.perf_counter()
        page.goto(url)
        page.locator(ready).last.wait_for(timeout=120_000)
        return round(time.perf_counter() - start, 3)

    with serve(published) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        shaded = "#region-map g.trace.choropleth:last-of-type path.choroplethlocation:nth-of-type(20)"
        map_s = [timed(page, base + "/", shaded) for _ in range(loads)]
        card_s = [timed(page, f"{base}/enterprise/{bin_}", "#card-history") for _ in range(loads)]
        browser.close()

    def stats(values: list[float]) -> dict:
        rest = sorted(values[1:])
        return {
            "first_load": values[0],
            "median_after_first": rest[len(rest) // 2],
            "max_after_first": rest[-1],
            "all": values,
        }

    return {
        "published": str(published),
        "enterprises": enterprises,
        "map_page_seconds": stats(map_s),
        "enterprise_card_seconds": stats(card_s),
        "card_enterprise": {"bin": bin_, "assignments": assignments},
    }


def render_app(app: dict) -> str:
    """The app timings as a Markdown table."""
    m, c = app["map_page_seconds"], app["enterprise_card_seconds"]
    return "\n".join(
        [
            "| app page (headless Chromium) | first load s | median s (next loads) | max s |",
            "|---|---:|---:|---:|",
            f"| map, 20 regions painted | {m['first_load']} | {m['median_after_first']} | {m['max_after_first']} |",
            f"| enterprise card ({app['card_enterprise']['assignments']:,} assignments) | {c['first_load']} | "
            f"{c['median_after_first']} | {c['max_after_first']} |",
        ]
    )


def main_app(published: Path) -> int:
    """`python -m pipelines.bench app`: the map app's timings alone on a published copy, written
    to var/bench/app.json."""
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"bench: the map app on {published} …", flush=True)
    app = app_timings(published)
    (BENCH / "app.json").write_text(json.dumps(app, indent=2))
    print(render_app(app))
    print(f"\nbench: results in {BENCH / 'app.json'}")
    return 0


def main() -> int:
    """`make bench`: every step of the benchmark, written to var/bench/results.json and printed
    as a table."""
    BENCH.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
    }
    print("bench: generating (or reusing) the national landing directory …", flush=True)
    results["generate"] = generate()
    results["landed_rows"] = _landed_rows(LANDING)

    warehouse = BENCH / "warehouse" / "lrm.duckdb"
    if warehouse.parent.exists():
        shutil.rmtree(warehouse.parent)
    print("bench: full run …", flush=True)
    _lrm("run", "--landing", str(LANDING), "--warehouse", str(warehouse), "--metrics", str(BENCH / "full_run.json"))
    results["full_run"] = json.loads((BENCH / "full_run.json").read_text())
    target = dbt_target_dir(warehouse)
    results["dbt_models"] = dbt_models(target)

    results["coverage"] = data_coverage.coverage(warehouse)

    print("bench: floor (compiled dbt SQL in one DuckDB process) …", flush=True)
    results["floor"] = floor(warehouse, target)
    print("bench: load floor (DuckDB reading the landed CSV into tables, one process) …", flush=True)
    results["load_floor"] = load_floor(LANDING, BENCH / "load_floor.duckdb")
    results["load_floor_seconds"] = results["load_floor"]["seconds"]

    print("bench: the map app on the published copy …", flush=True)
    results["app"] = app_timings(published_dir(warehouse) / ANALYST_FILE)

    print("bench: incremental run (a new drop changing 1% of rows) …", flush=True)
    inc_landing = BENCH / "landing_incremental"
    new_drop = incremental_landing(LANDING, inc_landing)
    _lrm(
        "run",
        "--landing",
        str(inc_landing),
        "--warehouse",
        str(warehouse),
        "--drops",
        new_drop,
        "--metrics",
        str(BENCH / "incremental_run.json"),
    )
    results["incremental_run"] = json.loads((BENCH / "incremental_run.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results["incremental_run"]["reach"] = drop_reach(con, new_drop)

    print("bench: full rebuild of the incremental landing, compared with the incremental warehouse …", flush=True)
    rebuilt = BENCH / "warehouse_rebuilt" / "lrm.duckdb"
    if rebuilt.parent.exists():
        shutil.rmtree(rebuilt.parent)
    _lrm(
        "run",
        "--landing",
        str(inc_landing),
        "--warehouse",
        str(rebuilt),
        "--metrics",
        str(BENCH / "rebuild_run.json"),
        env={"LRM_PSEUDONYM_KEY_FILE": str(key_file_for(warehouse))},
    )  # the same worker keys
    results["rebuild_run"] = json.loads((BENCH / "rebuild_run.json").read_text())
    results["rebuild_run"]["tables_differing_from_incremental"] = differing_tables(warehouse, rebuilt)

    full = results["full_run"]["seconds"]
    ingest_seconds = round(
        sum(v["seconds"] or 0 for k, v in results["full_run"]["steps"].items() if k.startswith("raw__")), 2
    )
    job_floor = results["load_floor"]["seconds"] + results["floor"]["seconds"]
    dbt_step = results["full_run"]["steps"].get("dbt_models", {}).get("seconds") or 0
    model_seconds = sum(m["seconds"] for m in results["dbt_models"] if m["node"].startswith("model."))
    results["summary"] = {
        "full_run_seconds": full,
        "full_run_peak_rss_mb": results["full_run"]["peak_rss_mb"],
        "dbt_step_seconds": dbt_step,
        "dbt_models_seconds": round(model_seconds, 2),
        "floor_seconds": results["floor"]["seconds"],
        "load_floor_seconds": results["load_floor"]["seconds"],
        "job_floor_seconds": round(job_floor, 2),
        "full_run_over_job_floor": round(full / job_floor, 2),
        "ingest_seconds": ingest_seconds,
        "ingest_over_load_floor": round(ingest_seconds / results["load_floor"]["seconds"], 2),
        "dbt_models_over_floor": round(model_seconds / results["floor"]["seconds"], 2)
        if results["floor"]["seconds"]
        else None,
        "dbt_step_over_floor": round(dbt_step / results["floor"]["seconds"], 2)
        if results["floor"]["seconds"]
        else None,
        "incremental_seconds": results["incremental_run"]["seconds"],
        "incremental_share_of_full": round(results["incremental_run"]["seconds"] / full, 3),
        "incremental_enterprises_touched_share": results["incremental_run"]["reach"]["enterprises_touched_share"],
        "incremental_contracts_of_touched_enterprises_share": results["incremental_run"]["reach"][
            "contracts_of_touched_enterprises_share"
        ],
        "rebuild_seconds": results["rebuild_run"]["seconds"],
        "incremental_equals_rebuild": not results["rebuild_run"]["tables_differing_from_incremental"],
        "app_map_page_seconds": results["app"]["map_page_seconds"]["median_after_first"],
        "app_enterprise_card_seconds": results["app"]["enterprise_card_seconds"]["median_after_first"],
        "indicators_below_1pct_of_enterprises": results["coverage"]["indicators_below_1pct"],
        "indicators_constant": results["coverage"]["indicators_constant"],
        "rules_never_reached": [
            f"{kind}: {rule}"
            for kind, counts in results["coverage"]["rules"].items()
            for rule, n in counts.items()
            if n == 0
        ],
        "factor_mix_pp_from_official": {
            r["official_group"]: round(r["difference_pp"], 1)
            for r in results["coverage"]["factor_mix"]
            if r["difference_pp"] is not None
        },
    }
    previous = BENCH / "results.json"
    if previous.exists():  # the workforce line of `make bench-scale` stays beside the new bench
        kept = json.loads(previous.read_text()).get("workforce")
        if kept:
            results["workforce"] = kept
    previous.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(render_table(results))
    print(f"\nbench: results in {BENCH / 'results.json'}")
    return 0


def main_scale() -> int:
    """`make bench-scale`: the whole hired workforce (`lrm generate --scale workforce`, one
    drop) generated once and run in full on a fresh warehouse; the outcome, time and peak go
    under `workforce` in results.json beside the national bench's, and on stdout."""
    BENCH.mkdir(parents=True, exist_ok=True)
    landing = VAR / "landing" / "workforce"
    generated: dict = {"reused": str(landing)}
    if not _complete(landing):
        print(f"bench-scale: generating the workforce landing in {landing} …", flush=True)
        seconds, _ = _lrm("generate", "--out", str(landing), "--scale", "workforce", "--seed", "42")
        generated = {"seconds": round(seconds, 1)}
    landed = _landed_rows(landing)
    warehouse = BENCH / "workforce" / "lrm.duckdb"
    if warehouse.parent.exists():
        shutil.rmtree(warehouse.parent)
    metrics = BENCH / "workforce_run.json"
    metrics.unlink(missing_ok=True)
    print("bench-scale: full run …", flush=True)
    wall, code = _lrm(
        "run", "--landing", str(landing), "--warehouse", str(warehouse), "--metrics", str(metrics), check=False
    )
    run = json.loads(metrics.read_text()) if metrics.exists() else {"seconds": round(wall, 1), "success": False}
    results_path = BENCH / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    national = results.get("summary", {}).get("full_run_seconds")
    results["workforce"] = {
        "contracts": landed.get("employees", 0),
        "landed_rows": sum(landed.values()),
        "generate": generated,
        "exit_code": code,
        "success": bool(run.get("success")) and code == 0,
        "seconds": run["seconds"],
        "peak_rss_mb": run.get("peak_rss_mb"),
        "over_national_run": round(run["seconds"] / national, 2) if national else None,
        "steps": run.get("steps", {}),
    }
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    w = results["workforce"]
    print(
        f"\nworkforce: {w['contracts']:,} contracts ({w['landed_rows']:,} rows, one drop): "
        f"{'done' if w['success'] else f'FAILED (exit {code})'} in {w['seconds']} s, peak {w['peak_rss_mb']} MB"
        + (f", {w['over_national_run']}x the national run" if w["over_national_run"] else "")
    )
    slow = sorted(w["steps"].items(), key=lambda kv: -(kv[1].get("seconds") or 0))[:6]
    print("slowest steps: " + ", ".join(f"{k} {v.get('seconds')} s / {v.get('peak_rss_mb')} MB" for k, v in slow))
    print(f"bench-scale: results in {results_path} (under workforce)")
    return 0 if w["success"] else 1


def render_table(results: dict) -> str:
    """The results as a Markdown table: wall time, peak memory and rows per stage, then the
    ratios to the floors."""
    steps = results["full_run"]["steps"]
    landed = results["landed_rows"]
    lines = ["| stage | wall s | peak RSS MB | rows | rows/s |", "|---|---:|---:|---:|---:|"]
    gen = results["generate"]
    if "seconds" in gen:
        lines.append(f"| generate national | {gen['seconds']} | {gen['peak_rss_mb']} | {sum(landed.values()):,} | |")
    ingest = {k: v for k, v in steps.items() if k.startswith("raw__")}
    ingest_s = sum(v["seconds"] or 0 for v in ingest.values())
    rows = sum(landed.values())
    ingest_peak = max((v["peak_rss_mb"] for v in ingest.values()), default=0)
    lines.append(f"| ingest (13 extracts) | {ingest_s:.1f} | {ingest_peak} | {rows:,} | {rows / ingest_s:,.0f} |")
    for name, v in steps.items():
        if not name.startswith("raw__"):
            lines.append(f"| {name} | {v['seconds']} | {v['peak_rss_mb']} | | |")
    s = results["summary"]
    dbt_checks = sum(1 for m in results["dbt_models"] if not m["node"].startswith("model."))
    lines += [
        f"| **full run** | **{s['full_run_seconds']}** | **{s['full_run_peak_rss_mb']}** | | |",
        f"| floor: compiled dbt SQL, one DuckDB process | {s['floor_seconds']} | | | |",
        f"| load floor: DuckDB read_csv of the landing, one process | {s['load_floor_seconds']} | | "
        f"{results['load_floor']['rows']:,} | |",
        f"| incremental run (new drop, 1% changed) | {s['incremental_seconds']} | {results['incremental_run']['peak_rss_mb']} | | |",
        "",
        f"full run / whole-job floor (load floor + model floor, {s['job_floor_seconds']} s) = "
        f"{s['full_run_over_job_floor']}; ingest / load floor = {s['ingest_over_load_floor']}",
        f"dbt models {s['dbt_models_seconds']} s / floor {s['floor_seconds']} s = {s['dbt_models_over_floor']}; "
        f"dbt step (models + {dbt_checks} tests and seeds) / floor = {s['dbt_step_over_floor']}; "
        f"incremental / full = {s['incremental_share_of_full']}",
        "",
        f"the 1% drop touches {s['incremental_enterprises_touched_share']:.1%} of enterprises, which hold "
        f"{s['incremental_contracts_of_touched_enterprises_share']:.1%} of the contracts",
        f"full rebuild of the incremental landing: {s['rebuild_seconds']} s; its tables "
        + (
            "equal the incremental warehouse's"
            if s["incremental_equals_rebuild"]
            else f"DIFFER from the incremental warehouse's: {results['rebuild_run']['tables_differing_from_incremental']}"
        ),
    ]
    lines += [
        "",
        f"indicators reaching under 1% of enterprises: {', '.join(s['indicators_below_1pct_of_enterprises']) or 'none'}; "
        f"constant: {', '.join(s['indicators_constant']) or 'none'}; rules never reached: "
        f"{', '.join(s['rules_never_reached']) or 'none'}; factor mix against the official figures (pp): "
        f"{s['factor_mix_pp_from_official']}",
    ]
    slow = sorted((m for m in results["dbt_models"] if m["node"].startswith("model.")), key=lambda m: -m["seconds"])[:8]
    lines += ["", "slowest dbt models: " + ", ".join(f"{m['node'].split('.')[-1]} {m['seconds']}s" for m in slow)]
    if "app" in results:
        lines += ["", render_app(results["app"])]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["scale"]:
        sys.exit(main_scale())
    if sys.argv[1:2] == ["app"]:
        sys.exit(
            main_app(
                Path(sys.argv[2])
                if len(sys.argv) > 2
                else published_dir(BENCH / "warehouse" / "lrm.duckdb") / ANALYST_FILE
            )
        )
    sys.exit(main())
