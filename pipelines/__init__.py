"""Labour Risk Map: the Dagster code location and the `lrm` command."""
