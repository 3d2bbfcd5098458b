"""The dbt project as a reader meets it. Every model says what it holds in its own yml (not
in a SQL comment Dagster would have to dig out), every published column is described.

The dbt sources are declared by the landing contract (pipelines/contract.py) and checked
against it here, so an extract is added in one place: every extract is a dbt source of its
upstream system's group, with its kind and key stated as the contract has them, and every
source maps onto the Dagster asset that loads it (the translator's key, no key written in
the yml)."""

from __future__ import annotations

import json

from pipelines import contract
from pipelines.defs.dbt.assets import translator
from pipelines.defs.dbt.project import dbt_project
from pipelines.defs.ingest.assets import raw_asset_key


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def _sources() -> dict[str, dict]:
    """The landed sources (schema raw); dq's tables are sources too, of the run's own records."""
    return {s["name"]: s for s in _manifest()["sources"].values() if s["schema"] == "raw"}


def test_every_extract_is_one_dbt_source_and_nothing_else_is():
    sources = _sources()
    assert sorted(sources) == sorted(contract.EXTRACTS)
    for name, extract in contract.EXTRACTS.items():
        source = sources[name]
        assert source["source_name"] == extract.source, name
        key = ", ".join(extract.raw_column(c) for c in extract.key)
        assert source["description"].startswith(f"raw.{name} — {extract.kind}, key ({key});"), (
            f"{name}: the description must state the contract's kind and key: {extract.kind}, ({key})"
        )


def test_each_source_is_the_asset_that_ingests_it():
    for name, source in _sources().items():
        assert "asset_key" not in json.dumps([source.get("meta"), source.get("config")]), (
            f"{name}: the key has one home, the translator"
        )
        assert translator.get_asset_key(source) == raw_asset_key(name)


def test_every_model_is_described_in_a_yml_and_every_mart_column_too():
    models = [n for n in _manifest()["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) > 50
    undescribed = [m["name"] for m in models if len((m.get("description") or "").split()) < 5]
    assert not undescribed, f"models without a description in their yml: {undescribed}"
    columns = [
        f"{m['name']}.{c}"
        for m in models
        if m["config"].get("schema") == "marts"
        for c, col in m["columns"].items()
        if not (col.get("description") or "").strip()
    ]
    assert not columns, f"mart columns without a description: {columns}"
    declared = [m for m in models if m["config"].get("schema") == "marts"]
    assert all(m["columns"] for m in declared), "every mart declares its columns"


def test_one_yml_per_model_beside_it_holds_its_tests_and_unit_tests():
    """jaffle-shop's layout: models/<layer>/<area>/<model>.sql and <model>.yml, the yml holding
    the model's description, columns, data tests and unit tests."""
    manifest = _manifest()
    models = {n["unique_id"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for m in models.values():
        own = m["original_file_path"].removesuffix(".sql") + ".yml"
        assert (m.get("patch_path") or "").split("://")[-1] == own, (
            f"{m['name']}: described in {m.get('patch_path')}, not {own}"
        )
    for test in manifest["unit_tests"].values():
        model = models[test["depends_on"]["nodes"][0]]
        own = model["original_file_path"].removesuffix(".sql") + ".yml"
        assert test["original_file_path"] == own, (
            f"unit test {test['name']} is in {test['original_file_path']}, not {own}"
        )


def test_dbt_run_by_hand_keeps_the_memory_limit_of_the_pipeline():
    """`lrm` puts its DuckDB memory limit in the environment for the dbt child; dbt run by
    hand falls back to the profile's default, which must be the same value."""
    import re

    from pipelines.memory import DEFAULT_DUCKDB_MEMORY_LIMIT

    profile = (dbt_project.project_dir / "profiles.yml").read_text(encoding="utf-8")
    [default] = re.findall(r"env_var\('LRM_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert default == DEFAULT_DUCKDB_MEMORY_LIMIT
