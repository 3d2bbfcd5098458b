"""Data quality: GX suites (expectations/), their runner, the dq run history and the
auditor's report (<warehouse dir>/dq_report/)."""
