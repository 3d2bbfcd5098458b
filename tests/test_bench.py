"""The benchmark's measure of an incremental drop's reach (pipelines/bench.py, issue 6):
checked against the landed files themselves, on a generated landing and the bench's own
1% drop, on a small landing (1,000 enterprises)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import bench, contract
from pipelines.ingest.landing import scan_landing
from pipelines.ingest.load import ingest_extract
from pipelines.warehouse import ensure_dq

from .conftest import lrm


def _csv(path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0) if path.exists() else pl.DataFrame()


def _reach_from_files(previous, new) -> set[str]:
    """The BINs the new drop touches, read from the CSVs: a snapshot row that is new or
    different, or gone from the new file; every event row; a workplace's rows count for its BIN."""
    workplaces = _csv(new / "workplaces.csv").select("workplace_id", "bin")
    bins: set[str] = set()
    for name, extract in contract.EXTRACTS.items():
        rows = _csv(new / f"{name}.csv")
        if rows.is_empty():
            continue
        if extract.kind == "snapshot":
            old = _csv(previous / f"{name}.csv")
            rows = pl.concat(
                [
                    rows.join(old, on=rows.columns, how="anti", nulls_equal=True),
                    old.join(rows, on=rows.columns, how="anti", nulls_equal=True),
                ]
            )
        if "bin" in rows.columns:
            bins |= set(rows["bin"])
        elif "workplace_id" in rows.columns:
            bins |= set(rows.join(workplaces, on="workplace_id")["bin"])
    return bins


def test_drop_reach_counts_the_enterprises_a_drop_touches_and_their_contracts(tmp_path):
    base = tmp_path / "landing"
    lrm("generate", "--out", str(base), "--scale", "small", "--seed", "11")
    landing_dir = tmp_path / "incremental"
    new_drop = bench.incremental_landing(base, landing_dir)
    previous, new = sorted(p for p in base.iterdir() if p.is_dir())[-1], landing_dir / new_drop
    # A contract gone from the new drop, at an enterprise the drop does not touch otherwise.
    employees = _csv(new / "employees.csv")
    gone = employees.filter(~pl.col("bin").is_in(_reach_from_files(previous, new)))["contract_id"][0]
    employees.filter(pl.col("contract_id") != gone).write_csv(new / "employees.csv")
    landing = scan_landing(landing_dir)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_dq(con)
    for extract in contract.EXTRACTS.values():
        ingest_extract(con, landing, extract, b"unit-key")
    reach = bench.drop_reach(con, new_drop)
    con.close()

    bins, contracts = _reach_from_files(previous, new), _csv(new / "employees.csv")
    assert employees.filter(pl.col("contract_id") == gone)["bin"][0] in bins
    enterprises = set(_csv(new / "enterprises.csv")["bin"])
    touched = bins & enterprises
    assert 0 < len(touched) < len(enterprises)  # the drop reaches some enterprises, not all
    assert reach == {
        "drop": new_drop,
        "enterprises": len(enterprises),
        "enterprises_touched": len(touched),
        "enterprises_touched_share": round(len(touched) / len(enterprises), 3),
        "contracts": contracts.height,
        "contracts_of_touched_enterprises": contracts.filter(pl.col("bin").is_in(touched)).height,
        "contracts_of_touched_enterprises_share": round(
            contracts.filter(pl.col("bin").is_in(touched)).height / contracts.height, 3
        ),
    }
