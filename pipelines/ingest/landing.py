"""The landing directory: which drops are there, which are complete, which are misnamed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import contract
from pipelines.clock import today
from pipelines.masking import safe_message


@dataclass(frozen=True)
class Drop:
    """One complete drop: its date and folder."""

    date: dt.date
    path: Path

    def file(self, extract: str) -> Path:
        """The path of an extract's file in this drop (it may not exist)."""
        return self.path / f"{extract}.csv"


@dataclass
class Landing:
    """A landing directory's complete drops, oldest first, and the folders and files not loaded,
    with why."""

    root: Path
    drops: list[Drop]
    issues: list[tuple[str, str]] = field(default_factory=list)  # (path, what is wrong)

    @property
    def keys(self) -> list[str]:
        """The drops' dates as Dagster partition keys (YYYY-MM-DD), oldest first."""
        return [d.date.isoformat() for d in self.drops]

    @property
    def newest(self) -> dt.date | None:
        """The newest complete drop's date; None when there is none."""
        return self.drops[-1].date if self.drops else None

    def display(self, path: Path) -> str:
        """A path as messages show it: relative to the landing directory."""
        return str(path.relative_to(self.root))


def scan_landing(root: Path) -> Landing:
    """Complete drops (folder named YYYY-MM-DD holding the _SUCCESS marker), oldest first.

    A misnamed folder, an incomplete drop, a drop dated after today (a date no extract can
    have been taken on) or a link to a folder outside the landing directory is not loaded;
    it is listed in `issues` so the run reports it instead of silently passing it over.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"landing directory {root} does not exist")
    real_root = root.resolve()
    drops: list[Drop] = []
    issues: list[tuple[str, str]] = []
    for child in sorted(root.iterdir()):
        if not child.is_dir():
            continue
        if not child.resolve().is_relative_to(real_root):
            issues.append((child.name, "a link to a folder outside the landing directory; not loaded"))
            continue
        if not re.match(contract.DROP_DIR_PATTERN, child.name):
            issues.append((child.name, "folder name is not a drop date YYYY-MM-DD; not loaded"))
            continue
        try:
            date = dt.date.fromisoformat(child.name)
        except ValueError:
            issues.append((child.name, "folder name is not a real date; not loaded"))
            continue
        if not (child / contract.SUCCESS_MARKER).exists():
            issues.append((child.name, f"drop is incomplete (no {contract.SUCCESS_MARKER} marker); not loaded yet"))
            continue
        if date > today():
            issues.append((child.name, f"drop is dated after today ({today()}); not loaded"))
            continue
        for f in sorted(child.iterdir()):
            if f.is_file() and f.name != contract.SUCCESS_MARKER and f.stem not in contract.EXTRACTS:
                issues.append((f"{child.name}/{f.name}", "not an extract of the landing contract; ignored"))
        drops.append(Drop(date, child))
    # Folder and file names are data from upstream: they are shown, so never with an IIN.
    return Landing(root=root, drops=drops, issues=[(safe_message(p), safe_message(i)) for p, i in issues])
