"""The enterprise card: both scores and what drives them, the workplaces, the guarantees
owed and granted, gaps and contradictions, the assignment history — workers by
`worker_key` only (the published copy holds no IIN)."""

from __future__ import annotations

from dash import dcc, html

from pipelines.app.ui import Page, figures, number, table

# Long lists on the card stop here; the published copy holds them all.
ROWS_SHOWN = 200
# A column naming the sources an enterprise's ЦКТР-style score had to do without, where
# the mart carries one.
MISSING_SOURCES_COLUMNS = ("ctr_missing_sources", "missing_sources")


def _one(page: Page, sql: str, params) -> dict | None:
    rows = page.copy.rows(sql, params)
    return rows[0] if rows else None


def _scores(page: Page, e: dict) -> list:
    t, code = page.t, page.labels.code

    def reason(key: str) -> str:
        return e.get(key) or "—"

    risk = figures(
        page,
        [
            (
                "col.risk_score",
                f"{number(e.get('risk_score'), 3)} · {code('risk_level', e.get('risk_level'), page.lang)}",
            ),
            (
                "col.p1",
                f"{number(e.get('p1'), 3)}{' · ' + t('card.imputed') if e.get('p1_imputed') else ''} · {reason('p1_reason')}",
            ),
            ("col.p2", f"{number(e.get('p2'), 3)} · {reason('p2_reason')}"),
            (
                "col.p3",
                f"{number(e.get('p3'), 3)}{' · ' + t('card.missing') if e.get('p3_missing') else ''} · {reason('p3_reason')}",
            ),
            ("col.kch", number(e.get("kch"), 2)),
            ("col.kt", number(e.get("kt"), 2)),
            ("col.diseases_per_1000", number(e.get("diseases_per_1000"), 2)),
            ("col.injuries", number(e.get("injuries"))),
            ("col.fatalities", number(e.get("fatalities"))),
        ],
    )
    covered = e.get("ctr_weight_covered")
    missing = next((e[c] for c in MISSING_SOURCES_COLUMNS if e.get(c)), None)
    ctr = figures(
        page,
        [
            ("col.ctr_score", f"{number(e.get('ctr_score'), 1)} · {code('ctr_level', e.get('ctr_level'), page.lang)}"),
            ("col.ctr_weight_covered", "—" if covered is None else f"{number(100 * covered, 1)} %"),
            ("col.ctr_indicators_available", number(e.get("ctr_indicators_available"))),
            (
                "card.missing_sources",
                ", ".join(code("source", s.strip(), page.lang) for s in str(missing).split(","))
                if missing
                else t(
                    "card.missing_sources_none"
                    if covered is not None and covered >= 1
                    else "card.missing_sources_weight"
                ),
            ),
        ],
    )
    return [
        html.Div([html.H3(t("card.risk_score")), risk], className="card-half"),
        html.Div([html.H3(t("card.ctr_score")), ctr], className="card-half"),
    ]


def layout(page: Page, bin_: str) -> list:
    """The card of the enterprise with this BIN: both scores and their top indicators,
    workplaces, guarantees, gaps, contradictions and assignment history; a not-found page for
    an unknown BIN."""
    e = _one(page, "SELECT * FROM marts.enterprise_risk WHERE bin = ?", [bin_])
    if e is None:
        return [html.H2(page.t("page.not_found")), html.P(bin_)]
    t, rows = page.t, page.copy.rows
    region = e.get("region_code")
    factors = rows(
        "SELECT factor_rank, name_ru, name_en, indicator_group, source, raw_value, normalised_value, weight, "
        "contribution FROM marts.enterprise_risk_factors WHERE bin = ? ORDER BY factor_rank",
        [bin_],
    )
    for f in factors:
        f["indicator"] = f["name_en"] if page.lang == "en" else f["name_ru"]
    workplaces = rows(
        "SELECT workplace_id, profession, workplace_class, attestation_status, attestation_valid_until, "
        "r_ind, risk_level, not_attested_reason FROM marts.workplace_conditions WHERE bin = ? "
        "ORDER BY workplace_id",
        [bin_],
    )
    guarantees = rows(
        """
        WITH owed AS (
            SELECT guarantee,
                   count(DISTINCT worker_key) FILTER (WHERE regime = 'current_law') AS owed_current_law,
                   count(DISTINCT worker_key) FILTER (WHERE regime = 'risk_model') AS owed_risk_model
            FROM marts.guarantee_assignments WHERE bin = $bin GROUP BY 1
        ), gaps AS (
            SELECT guarantee,
                   count(*) FILTER (WHERE gap_kind = 'not_granted') AS not_granted,
                   count(*) FILTER (WHERE gap_kind = 'under_granted') AS under_granted,
                   count(*) FILTER (WHERE gap_kind = 'over_granted') AS over_granted,
                   count(*) FILTER (WHERE gap_kind = 'conflict') AS conflict
            FROM marts.guarantee_gaps WHERE bin = $bin GROUP BY 1
        )
        SELECT guarantee, coalesce(owed_current_law, 0) AS owed_current_law, coalesce(owed_risk_model, 0) AS owed_risk_model,
               greatest(coalesce(owed_current_law, 0) - coalesce(not_granted, 0) - coalesce(under_granted, 0), 0)
                   AS granted_in_full,
               coalesce(under_granted, 0) AS under_granted, coalesce(not_granted, 0) AS not_granted,
               coalesce(over_granted, 0) AS over_granted, coalesce(conflict, 0) AS conflict
        FROM owed FULL JOIN gaps USING (guarantee) ORDER BY guarantee""",
        {"bin": bin_},
    )
    gaps = rows(
        f"SELECT * FROM marts.guarantee_gaps WHERE bin = ? ORDER BY gap_kind, guarantee, worker_key LIMIT {ROWS_SHOWN}",
        [bin_],
    )
    gap_columns = [
        "worker_key",
        "guarantee",
        "gap_kind",
        *(c for c in ("reason",) if gaps and c in gaps[0]),
        "entitled_volume",
        "granted_volume",
        "unit",
        "detail",
    ]
    contradictions = rows(
        "SELECT workplace_id, finding, profession, attestation_status, workplace_class, harmful_factors, "
        "workers_active FROM marts.list_attestation_contradictions WHERE bin = ? ORDER BY workplace_id",
        [bin_],
    )
    history = rows(
        f"SELECT worker_key, guarantee, regime, version_no, volume, unit, valid_from, valid_to, started_by, "
        f"ended_by FROM marts.assignment_history WHERE bin = ? "
        f"ORDER BY valid_from DESC, worker_key, guarantee, regime, version_no LIMIT {ROWS_SHOWN}",
        [bin_],
    )
    size = page.labels.size_of(e.get("headcount"))
    coded_gaps = {
        "guarantee": "guarantee",
        "gap_kind": "gap_kind",
        "unit": "unit",
        **({"reason": "reason"} if "reason" in gap_columns else {}),
    }
    return [
        html.P(
            [
                dcc.Link("← " + t("nav.map"), href=page.href("/")),
                " · ",
                dcc.Link(page.labels.region(region, page.lang), href=page.href(f"/region/{region}")) if region else "",
            ]
        ),
        html.H2(e.get("enterprise_name") or bin_, id="enterprise-name"),
        figures(
            page,
            [
                ("col.bin", bin_),
                ("col.region_code", page.labels.region(region, page.lang) if region else "—"),
                (
                    "col.oked_section",
                    f"{e.get('oked_section')} — {page.labels.section(e.get('oked_section'), page.lang)}"
                    if e.get("oked_section")
                    else "—",
                ),
                ("col.headcount", number(e.get("headcount"))),
                ("col.size", page.labels.code("size", size, page.lang) if size else "—"),
                ("col.as_of", number(e.get("as_of"))),
            ],
        ),
        html.Div(_scores(page, e), className="card-row"),
        html.H3(t("card.top_indicators")),
        table(
            page,
            "card-factors",
            factors,
            [
                "factor_rank",
                "indicator",
                "indicator_group",
                "source",
                "raw_value",
                "normalised_value",
                "weight",
                "contribution",
            ],
            coded={"indicator_group": "indicator_group", "source": "source"},
            digits={"raw_value": 3, "normalised_value": 3, "weight": 4, "contribution": 2},
        ),
        html.H3(t("card.workplaces")),
        table(
            page,
            "card-workplaces",
            workplaces,
            [
                "workplace_id",
                "profession",
                "workplace_class",
                "attestation_status",
                "attestation_valid_until",
                "r_ind",
                "risk_level",
                "not_attested_reason",
            ],
            coded={
                "workplace_class": "workplace_class",
                "attestation_status": "attestation_status",
                "risk_level": "risk_level",
            },
            digits={"r_ind": 3},
        ),
        html.H3(t("card.guarantees")),
        table(
            page,
            "card-guarantees",
            guarantees,
            [
                "guarantee",
                "owed_current_law",
                "owed_risk_model",
                "granted_in_full",
                "under_granted",
                "not_granted",
                "over_granted",
                "conflict",
            ],
            coded={"guarantee": "guarantee"},
        ),
        html.H3(t("card.gaps")),
        table(
            page, "card-gaps", gaps, gap_columns, coded=coded_gaps, digits={"entitled_volume": 1, "granted_volume": 1}
        ),
        html.H3(t("card.contradictions")),
        table(
            page,
            "card-contradictions",
            contradictions,
            [
                "workplace_id",
                "finding",
                "profession",
                "attestation_status",
                "workplace_class",
                "harmful_factors",
                "workers_active",
            ],
            coded={
                "finding": "finding",
                "attestation_status": "attestation_status",
                "workplace_class": "workplace_class",
            },
        ),
        html.H3(t("card.history")),
        table(
            page,
            "card-history",
            history,
            [
                "worker_key",
                "guarantee",
                "regime",
                "version_no",
                "volume",
                "unit",
                "valid_from",
                "valid_to",
                "started_by",
                "ended_by",
            ],
            coded={
                "guarantee": "guarantee",
                "regime": "regime",
                "unit": "unit",
                "started_by": "started_by",
                "ended_by": "ended_by",
            },
            digits={"volume": 1},
        ),
        html.P(f"{t('card.rows_shown')}: {ROWS_SHOWN}", className="hint"),
    ]
