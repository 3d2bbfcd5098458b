"""Data quality: the GX suites (expectations/) and their runner, the rejection thresholds,
dbt's tests and contracts as records, the dq run history, and the auditor's report
(<warehouse dir>/dq_report/) with its Data Docs. `service.finish_run` ends every run."""
