"""IIN and BIN control digits (docs/law_and_models.md §9) and OKED sections."""

from __future__ import annotations

_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def control_digit(first11: str) -> int | None:
    """The 12th digit for the first 11, or None when no digit is valid (docs/law_and_models.md §9)."""
    digits = [int(c) for c in first11]
    d = sum(a * w for a, w in zip(digits, _WEIGHTS_1)) % 11
    if d == 10:
        d = sum(a * w for a, w in zip(digits, _WEIGHTS_2)) % 11
        if d == 10:
            return None
    return d


def is_valid_id(value: str | None) -> bool:
    """True for a 12-digit IIN or BIN whose control digit is right."""
    if value is None or len(value) != 12 or not value.isdigit():
        return False
    return control_digit(value[:11]) == int(value[11])


def complete_id(first11: str) -> str | None:
    """first11 plus its control digit, or None if that prefix cannot be completed."""
    d = control_digit(first11)
    return None if d is None else first11 + str(d)


# OKED (ГК РК 03-2019) section by the first two digits (docs/law_and_models.md §9).
_OKED_RANGES = (
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
)
OKED_DIVISION_SECTION: dict[str, str] = {
    f"{n:02d}": letter for letter, lo, hi in _OKED_RANGES for n in range(lo, hi + 1)
}


def oked_section(oked: str | None) -> str | None:
    """The OKED section letter of a code, by its first two digits; None when the code is too
    short or unknown."""
    if not oked or len(oked) < 2:
        return None
    return OKED_DIVISION_SECTION.get(oked[:2])
