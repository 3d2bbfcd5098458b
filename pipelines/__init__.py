"""Labour Risk Map: the Dagster code location and the `lrm` command."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]  # the checkout: dbt_project/, seeds/, expectations/
