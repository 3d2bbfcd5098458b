"""The repository's documentation stands alone (issue 15, item 6): the README, docs/, the
seeds' descriptions and bases, dbt's descriptions and the expectation suites point to
nothing outside the repository, and every section of docs/law_and_models.md they cite
exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO_ROOT

OUTSIDE = re.compile(
    r"\.\./shared|shared/(domain|contracts|architecture|seed)|(?<![\w/])domain\.md|\bseed:\d+"
    r"|contracts/(outputs|landing|reference)\.md|(?<![\w/])(outputs|landing|architecture)\.md"
)
CITATION = re.compile(r"docs/law_and_models\.md[`\"']?\)?[ ,;]*(§\s*\d+(?:\s*[-–]\s*§?\s*\d+|\s*(?:,|and)\s*§\s*\d+)*)")


def _documents() -> list[Path]:
    root = REPO_ROOT
    return sorted(
        {
            root / "README.md",
            *root.glob("docs/*.md"),
            *root.glob("seeds/**/*.yml"),
            *root.glob("seeds/**/*.csv"),
            *root.glob("dbt_project/models/**/*.yml"),
            *root.glob("dbt_project/models/**/*.sql"),
            *root.glob("dbt_project/macros/*"),
            *root.glob("expectations/**/*.json"),
            *root.glob("pipelines/**/*.py"),
        }
    )


def test_nothing_in_the_docs_seeds_or_dbt_descriptions_points_outside_the_repository():
    found = []
    for path in _documents():
        text = path.read_text(encoding="utf-8")
        if path.name == "appendix1_indicators.csv":
            # Its seed_line column is data: the monograph's lines an indicator comes from.
            text = re.sub(r",seed:\d+(-\d+)?,", ",", text)
        found += [
            f"{path.relative_to(REPO_ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
            for m in OUTSIDE.finditer(text)
        ]
    assert not found, "\n".join(found[:30])


def test_every_cited_section_of_law_and_models_exists():
    sections = {
        int(n)
        for n in re.findall(
            r"^## (\d+)\. ", (REPO_ROOT / "docs" / "law_and_models.md").read_text(encoding="utf-8"), re.M
        )
    }
    assert sections == set(range(1, 11))
    cited = set()
    for path in _documents():
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            cited |= {int(n) for n in re.findall(r"\d+", match.group(1))}
    assert cited and cited <= sections, sorted(cited - sections)
