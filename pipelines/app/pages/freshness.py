"""Data freshness for auditors: the as-of date, the last runs and their status, and links to
the data-quality report, the static map and the dbt documentation of this publish."""

from __future__ import annotations

from dash import html

from pipelines.app.ui import Page, figures, number, table

RUNS_SHOWN = 10


def layout(page: Page) -> list:
    """The freshness page: the as-of date, the last run and its status, links to this publish's
    data-quality report, static map and dbt docs, and the last runs."""
    present = page.copy.columns("dq", "run_history")
    wanted = [
        c
        for c in (
            "run_id",
            "started_at",
            "updated_at",
            "as_of",
            "status",
            "expectations_passed",
            "expectations_warned",
            "expectations_failed",
            "code_version",
        )
        if c in present
    ]
    runs = page.copy.rows(f"SELECT {', '.join(wanted)} FROM dq.run_history ORDER BY started_at DESC LIMIT {RUNS_SHOWN}")
    last = runs[0] if runs else {}
    return [
        html.H2(page.t("freshness.title")),
        figures(
            page,
            [
                ("col.as_of", number(page.copy.as_of())),
                ("freshness.last_run", number(last.get("updated_at") or last.get("started_at"))),
                ("col.status", page.labels.code("status", last.get("status"), page.lang) if last else "—"),
                ("col.code_version", last.get("code_version") or "—"),
            ],
        ),
        html.Ul(
            [
                html.Li(html.A(page.t("freshness.dq_report"), href="/files/dq_report/index.html", id="link-dq-report")),
                html.Li(html.A(page.t("freshness.static_map"), href="/files/published/map/index.html")),
                html.Li(html.A(page.t("freshness.docs"), href="/files/published/docs/index.html")),
            ]
        ),
        html.H3(page.t("freshness.runs")),
        table(page, "freshness-runs", runs, wanted, coded={"status": "status"}),
    ]
