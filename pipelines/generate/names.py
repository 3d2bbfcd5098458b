"""Enterprise names in Kazakh and Russian (ТОО «Қарағанды Көмір», АО «Павлодарский алюминий»)."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate.calibration import INDUSTRIES, REGION_TOWNS

_FORMS = {"health": ("КГП на ПХВ", "ГКП на ПХВ", "ТОО"), "other": ("ТОО", "ТОО", "ТОО", "ИП", "АО")}
_DEFAULT_FORMS = ("ТОО", "ТОО", "АО")


def enterprise_names(rng: np.random.Generator, groups: np.ndarray, regions: np.ndarray) -> pl.Series:
    """A name per enterprise: legal form, a town of its region and a stem of its industry, some
    numbered, a few with ASCII quotes and a comma."""
    n = len(groups)
    forms = np.empty(n, dtype=object)
    stems = np.empty(n, dtype=object)
    towns = np.empty(n, dtype=object)
    for ind in INDUSTRIES:
        idx = np.flatnonzero(groups == ind.name)
        f = _FORMS.get(ind.name, _DEFAULT_FORMS)
        forms[idx] = np.asarray(f, dtype=object)[rng.integers(0, len(f), len(idx))]
        stems[idx] = np.asarray(ind.words, dtype=object)[rng.integers(0, len(ind.words), len(idx))]
    for region, t in REGION_TOWNS.items():
        idx = np.flatnonzero(regions == region)
        towns[idx] = np.asarray(t, dtype=object)[rng.integers(0, len(t), len(idx))]
    forms[forms == "ИП"] = "ТОО"  # an ИП has an IIN, not a BIN
    numbered = rng.random(n) < 0.3
    suffix = np.where(numbered, np.char.add(" №", rng.integers(1, 30, n).astype(str)), "")
    quoted = rng.random(n) < 0.02  # some registries send ASCII quotes and commas
    df = pl.DataFrame(
        {"f": forms.astype(str), "t": towns.astype(str), "s": stems.astype(str), "x": suffix, "q": quoted}
    )
    return df.select(
        pl.when(pl.col("q"))
        .then(pl.format('{} "{} {}, Ltd"', "f", "t", "s"))
        .otherwise(pl.format("{} «{} {}{}»", "f", "t", "s", "x"))
        .alias("name")
    ).to_series()
