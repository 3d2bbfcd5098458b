"""Labels in Russian, Kazakh and English, read from the reference seeds of a published copy.

Every word a reader sees on the map, in the app or in the static map comes from here:
interface text and column headings (`reference.ui_labels`), the meaning of every coded
value (`reference.codebook`), regions, OKED sections and enterprise sizes (their own
seeds). Nothing is translated in code; a key with no label shows as the key itself and
is recorded in `missing`, so a test can insist there is none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"


def language(value: str | None) -> str:
    """The language asked for if the app offers it, else the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class SizeBand:
    """An enterprise size class by headcount, from min_headcount to max_headcount (open above
    when None)."""

    size: str
    min_headcount: int
    max_headcount: int | None

    def sql(self, column: str) -> str:
        """A SQL condition that `column` falls in this band."""
        upper = "" if self.max_headcount is None else f" AND {column} <= {int(self.max_headcount)}"
        return f"({column} >= {int(self.min_headcount)}{upper})"


@dataclass
class Labels:
    """Every text the app shows, in each language: UI texts, code labels, region and section
    names, size bands; keys without a label are collected in `missing`."""

    ui: dict[str, dict[str, str]]
    codes: dict[tuple[str, str], dict[str, str]]
    regions: dict[str, dict[str, str]]
    sections: dict[str, dict[str, str]]
    sizes: list[SizeBand]
    missing: set[str] = field(default_factory=set)

    def text(self, key: str, lang: str) -> str:
        """The UI text of `key`; the key itself, noted as missing, when there is none."""
        entry = self.ui.get(key)
        if entry is None:
            self.missing.add(key)
            return key
        return entry[language(lang)]

    def column(self, name: str, lang: str) -> str:
        """The heading of a column."""
        return self.text(f"col.{name}", lang)

    def code(self, column: str, code: object, lang: str) -> str:
        """The label of a coded value of `column`; the code itself, noted as missing, when it
        has none."""
        if code is None:
            return ""
        entry = self.codes.get((column, str(code)))
        if entry is None:
            self.missing.add(f"{column}={code}")
            return str(code)
        return entry[language(lang)]

    def _named(self, names: dict[str, dict[str, str]], kind: str, key: str | None, lang: str) -> str:
        entry = names.get(key or "")
        if entry is None:
            self.missing.add(f"{kind}={key}")
            return str(key)
        return entry[language(lang)]

    def region(self, code: str | None, lang: str) -> str:
        """A region's name from its code."""
        return self._named(self.regions, "region", code, lang)

    def section(self, letter: str | None, lang: str) -> str:
        """An OKED section's name from its letter."""
        return self._named(self.sections, "oked_section", letter, lang)

    def size_of(self, headcount: int | None) -> str | None:
        """The size class of a headcount; None when the headcount is unknown or in no band."""
        if headcount is None:
            return None
        for band in self.sizes:
            if headcount >= band.min_headcount and (band.max_headcount is None or headcount <= band.max_headcount):
                return band.size
        return None

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> Labels:
        """The labels in force on `as_of` (today when None) from schema `reference` of `con`."""
        day = as_of or dt.date.today()
        in_force = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
        ui = {
            k: {"ru": ru, "kk": kk, "en": en}
            for k, ru, kk, en in con.execute("SELECT key, ru, kk, en FROM reference.ui_labels").fetchall()
        }
        codes = {
            (c, v): {"ru": ru, "kk": kk, "en": en}
            for c, v, ru, kk, en in con.execute(
                f"SELECT column_name, code, meaning_ru, meaning_kk, meaning_en FROM reference.codebook WHERE {in_force}",
                [day, day],
            ).fetchall()
        }
        regions = {
            c: {"ru": ru, "kk": kk, "en": en}
            for c, ru, kk, en in con.execute(
                f"SELECT code, name_ru, name_kk, name_en FROM reference.regions WHERE {in_force}", [day, day]
            ).fetchall()
        }
        sections = {
            s: {"ru": ru, "kk": kk, "en": en}
            for s, ru, kk, en in con.execute(
                "SELECT DISTINCT section, section_name_ru, section_name_kk, section_name_en FROM reference.oked_sections "
                f"WHERE {in_force}",
                [day, day],
            ).fetchall()
        }
        sizes = []
        for size, lo, hi, ru, kk, en in con.execute(
            "SELECT size, min_headcount, max_headcount, name_ru, name_kk, name_en FROM reference.enterprise_size_bands "
            f"WHERE {in_force} ORDER BY min_headcount",
            [day, day],
        ).fetchall():
            sizes.append(SizeBand(size, lo, hi))
            codes[("size", size)] = {"ru": ru, "kk": kk, "en": en}
        # The gap reasons' codebook is the rule table that also gives each its gap kind.
        for code, ru, kk, en in con.execute(
            f"SELECT code, name_ru, name_kk, name_en FROM reference.gap_reasons WHERE {in_force}", [day, day]
        ).fetchall():
            codes[("reason", code)] = {"ru": ru, "kk": kk, "en": en}
        return cls(ui, codes, regions, sections, sizes)
