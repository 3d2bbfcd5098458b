"""Row validation against the landing contract, vectorised with Polars.

Every rule yields (column, reason code, message, bad-row expression) and names the GX
expectation it enforces, with that expectation's arguments: the data-quality report
records each rule under that name, with the rows it quarantined (pipelines/quality), so
the raw suites need not check the same rows again. A row's reason is the first rule it
breaks, in the order the contract lists its columns, then the row rules, then duplicate
keys, then references. Reason codes: docs/design.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from pipelines import contract
from pipelines.contract import Column, Extract
from pipelines.identifiers import OKED_DIVISION_SECTION
from pipelines.ingest.reader import EXTRAS_COL, LINE_COL, MAX_FIELD_CHARS, SHAPE_COL

REASON_COL = "_reason"
COLUMN_COL = "_column"
# ASCII digits only: a regex \d also takes full-width and other scripts' digits, which
# DuckDB would not cast.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INT_PATTERN = r"^[+-]?[0-9]+$"
DECIMAL_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_W1 = list(range(1, 12))
_W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


@dataclass(frozen=True)
class Rule:
    """One validation rule: a row where `bad` holds breaks it, with this reason code and message
    for `column`; `expectation` and `arguments` state it as the GX expectation it enforces."""

    column: str
    code: str
    message: str
    bad: pl.Expr
    expectation: str
    arguments: dict = field(default_factory=dict, hash=False)

    @property
    def reason(self) -> str:
        """The reason a quarantined row carries: `code: message`."""
        return f"{self.code}: {self.message}"


IN_SET, NOT_NULL, REGEX = (
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_match_regex",
)
# The shape of a record, which GX has no expectation for: named in GX's manner.
RECORD_SHAPE = "expect_records_to_have_the_header_field_count"


def id_validity(values: pl.Series) -> pl.Series:
    """IIN/BIN control digit (docs/law_and_models.md §9) for each value, as booleans.

    Each distinct value is checked once, its digits taken by integer arithmetic in
    materialised steps, so that millions of rows stay cheap to check.
    """
    distinct = values.unique().to_frame("v")
    distinct = distinct.with_columns(
        pl.when(pl.col("v").str.contains(r"^[0-9]{12}$")).then(pl.col("v").cast(pl.Int64, strict=False)).alias("n")
    )
    distinct = distinct.with_columns([((pl.col("n") // 10 ** (11 - i)) % 10).alias(f"d{i}") for i in range(12)])
    distinct = distinct.with_columns(
        (pl.sum_horizontal(pl.col(f"d{i}") * w for i, w in enumerate(_W1)) % 11).alias("s1"),
        (pl.sum_horizontal(pl.col(f"d{i}") * w for i, w in enumerate(_W2)) % 11).alias("s2"),
    )
    check = pl.when(pl.col("s1") != 10).then(pl.col("s1")).when(pl.col("s2") != 10).then(pl.col("s2"))
    distinct = distinct.select("v", (pl.col("n").is_not_null() & (check == pl.col("d11"))).fill_null(False).alias("ok"))
    return values.to_frame("v").join(distinct, on="v", how="left", nulls_equal=True, maintain_order="left")["ok"]


def id_is_valid(col: str) -> pl.Expr:
    """True where the column holds an IIN/BIN with a valid control digit."""
    return pl.col(col).map_batches(id_validity, return_dtype=pl.Boolean)


def bounds(col: Column) -> tuple[float, float]:
    """The inclusive range a number of this column must lie in: its own bounds, else those
    of its type (contract.INT_MIN/INT_MAX, DECIMAL_ABS_MAX), which downstream casts hold."""
    if col.type == "int":
        low, high = contract.INT_MIN, contract.INT_MAX
    else:
        low, high = -contract.DECIMAL_ABS_MAX, contract.DECIMAL_ABS_MAX
    return (low if col.min_value is None else col.min_value, high if col.max_value is None else col.max_value)


def canonical(frame: pl.DataFrame, extract: Extract) -> pl.DataFrame:
    """Good rows with typed values in one spelling, so staging can compare keys as text
    before it casts anything: numbers without surrounding blanks (ints in plain decimal),
    booleans in lower case. Everything else stays as landed."""
    changes = []
    for col in extract.columns:
        if col.type == "int":
            changes.append(pl.col(col.name).str.strip_chars().cast(pl.Int64).cast(pl.String))
        elif col.type == "decimal":
            changes.append(pl.col(col.name).str.strip_chars())
        elif col.type == "bool":
            changes.append(pl.col(col.name).str.to_lowercase())
    return frame.with_columns(changes) if changes else frame


def reference_column(ref: contract.Reference) -> str:
    """The name a reference check goes by: `ref:<extract>(<columns>)`."""
    return f"ref:{ref.extract}({','.join(ref.columns)})"


def _present(col: str) -> pl.Expr:
    return pl.col(col).is_not_null()


def _column_rules(col: Column, drop_date: dt.date | None) -> list[Rule]:
    """The rules of one column. Without a drop date (the suite as documented) the date
    window's end is stated relative to the drop."""
    name, v, present = col.name, pl.col(col.name), _present(col.name)
    rules: list[Rule] = []
    if col.required:
        rules.append(Rule(name, "missing_required", f"{name} is required", v.is_null(), NOT_NULL, {"column": name}))
    if col.type in ("bin", "iin"):
        rules.append(
            Rule(
                name,
                "bad_checksum",
                f"{name} is not a valid {col.type.upper()} (12 digits, control digit)",
                present & ~id_is_valid(name),
                IN_SET,
                {"column": f"{name}:checksum_ok", "value_set": [True]},
            )
        )
    elif col.type == "date":
        parsed = v.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        earliest = dt.date.fromisoformat(contract.MIN_DATE)
        latest = drop_date + dt.timedelta(days=col.max_future_days) if drop_date else None
        rules.append(
            Rule(
                name,
                "bad_date",
                f"{name} is not a date YYYY-MM-DD",
                present & (parsed.is_null() | ~v.str.contains(DATE_PATTERN)),
                IN_SET,
                {"column": f"{name}:parses", "value_set": [True]},
            )
        )
        after = f"{latest}" if latest else f"{col.max_future_days} days after the drop"
        rules.append(
            Rule(
                name,
                "date_out_of_range",
                f"{name} is before {contract.MIN_DATE} or after {after}",
                present & ((parsed < earliest) | (parsed > latest if latest else pl.lit(False))),
                IN_SET,
                {"column": f"{name}:in_window", "value_set": [True], "max_days_after_drop": col.max_future_days},
            )
        )
    elif col.type in ("int", "decimal"):
        # The format first, in ASCII digits only: what passes parses alike in Polars and DuckDB.
        text = v.str.strip_chars()
        well_formed = text.str.contains(INT_PATTERN if col.type == "int" else DECIMAL_PATTERN)
        number = pl.when(well_formed).then(text.cast(pl.Float64, strict=False))
        rules.append(
            Rule(
                name,
                "bad_number",
                f"{name} is not {'a whole number' if col.type == 'int' else 'a number'}",
                present & (number.is_null() | number.is_infinite()),
                IN_SET,
                {"column": f"{name}:parses", "value_set": [True]},
            )
        )
        low, high = bounds(col)
        between = (
            "expect_column_values_to_be_between",
            {"column": f"{name}:number", "min_value": low, "max_value": high},
        )
        rules.append(
            Rule(name, "out_of_range", f"{name} is below {low:g}", present & (number < low).fill_null(False), *between)
        )
        rules.append(
            Rule(
                name, "out_of_range", f"{name} is above {high:g}", present & (number > high).fill_null(False), *between
            )
        )
    elif col.type == "bool":
        rules.append(
            Rule(
                name,
                "bad_bool",
                f"{name} must be true or false",
                present & ~v.str.to_lowercase().is_in(contract.BOOL_VALUES),
                REGEX,
                {"column": name, "regex": r"^(?i:true|false)$"},
            )
        )
    elif col.type == "month":
        month = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
        rules.append(
            Rule(
                name,
                "bad_format",
                f"{name} must be YYYY-MM",
                present & ~v.str.contains(month),
                REGEX,
                {"column": name, "regex": month},
            )
        )
    if col.length is not None or col.digits:
        pattern = (
            rf"^[0-9]{{{col.length}}}$"
            if col.digits and col.length
            else (r"^[0-9]+$" if col.digits else rf"^.{{{col.length}}}$")
        )
        rules.append(
            Rule(
                name,
                "bad_format",
                f"{name} must be {col.length or ''} {'digits' if col.digits else 'characters'}".replace("  ", " "),
                present & ~v.str.contains(pattern),
                REGEX,
                {"column": name, "regex": pattern},
            )
        )
    if col.domain is not None:
        rules.append(
            Rule(
                name,
                "not_in_domain",
                f"{name} must be one of {', '.join(col.domain)}",
                present & ~v.is_in(col.domain),
                IN_SET,
                {"column": name, "value_set": list(col.domain)},
            )
        )
    return rules


def _row_rules(extract: Extract) -> list[Rule]:
    rules: list[Rule] = []
    for check in extract.checks:
        if check == "oked_section":
            rules.append(
                Rule(
                    "oked",
                    "unknown_oked",
                    "oked's first two digits are no OKED division",
                    _present("oked") & ~pl.col("oked").str.slice(0, 2).is_in(list(OKED_DIVISION_SECTION)),
                    NOT_NULL,
                    {"column": "oked:section"},
                )
            )
        elif check == "kato_region":
            rules.append(
                Rule(
                    "kato",
                    "unknown_region",
                    "kato's first two digits are no region code",
                    _present("kato") & ~pl.col("kato").str.slice(0, 2).is_in(contract.REGION_CODES),
                    IN_SET,
                    {"column": "kato:region", "value_set": list(contract.REGION_CODES)},
                )
            )
        elif check == "region_known":
            rules.append(
                Rule(
                    "region",
                    "unknown_region",
                    "region is not one of the 20 region codes",
                    _present("region") & ~pl.col("region").is_in(contract.REGION_CODES),
                    IN_SET,
                    {"column": "region", "value_set": list(contract.REGION_CODES)},
                )
            )
        elif check == "end_after_start":
            start = pl.col("start_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            end = pl.col("end_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            rules.append(
                Rule(
                    "end_date",
                    "end_before_start",
                    "end_date is before start_date",
                    (end < start).fill_null(False),
                    IN_SET,
                    {"column": "row:end_after_start", "value_set": [True]},
                )
            )
        elif check == "factor_known":
            rules.append(
                Rule(
                    "factor",
                    "unknown_factor",
                    "factor is not in the factor catalogue",
                    _present("factor") & ~pl.col("factor").is_in(contract.FACTOR_CODES),
                    IN_SET,
                    {"column": "factor", "value_set": list(contract.FACTOR_CODES)},
                )
            )
        elif check == "class_or_measure":
            stated = pl.col("factor").is_in(contract.STATED_CLASS_FACTORS)
            measured = _present("measured") & _present("limit_value")
            missing = pl.col("class").is_null() & (stated | ~measured)
            rules.append(
                Rule(
                    "class",
                    "class_or_measure_missing",
                    "a stated-class factor needs class; a measured factor needs measured and limit_value, or class",
                    missing,
                    IN_SET,
                    {"column": "row:class_or_measure", "value_set": [True]},
                )
            )
        else:  # pragma: no cover - a check named in contract.py without a rule here
            raise KeyError(check)
    return rules


def contract_rules(extract: Extract, drop_date: dt.date | None) -> list[Rule]:
    """Every rule a landed row of this extract must keep, references aside, in the order
    that picks a row's reason: the record's shape, the columns in contract order, the row
    rules, a key repeated within the file."""
    rules: list[Rule] = [
        Rule(
            "*",
            "bad_format",
            "the record is malformed",
            pl.col(SHAPE_COL).is_not_null(),
            RECORD_SHAPE,
            {"column": "*"},
        ),
        Rule(
            "*",
            "bad_format",
            f"a field is longer than {MAX_FIELD_CHARS} characters",
            pl.any_horizontal(
                pl.col(c).str.len_chars() > MAX_FIELD_CHARS for c in [*extract.column_names, EXTRAS_COL]
            ).fill_null(False),
            "expect_column_value_lengths_to_be_between",
            {"column": "*", "max_value": MAX_FIELD_CHARS},
        ),
    ]
    for col in extract.columns:
        rules.extend(_column_rules(col, drop_date))
    rules.extend(_row_rules(extract))
    key_present = pl.all_horizontal(_present(k) for k in extract.key)
    unique = (
        ("expect_column_values_to_be_unique", {"column": extract.key[0]})
        if len(extract.key) == 1
        else ("expect_compound_columns_to_be_unique", {"column_list": list(extract.key)})
    )
    rules.append(
        Rule(
            ",".join(extract.key),
            "duplicate_key",
            "the key repeats a row earlier in this file",
            key_present & ~pl.struct(list(extract.key)).is_first_distinct(),
            *unique,
        )
    )
    return rules


def validate(
    frame: pl.DataFrame, extract: Extract, drop_date: dt.date, references: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Adds _reason and _column (null where the row is good).

    references: extract name -> its loaded key rows with `_first_drop`, for rows that
    must point at an enterprise or workplace of the same drop or an earlier one.
    """
    rules = contract_rules(extract, drop_date)
    if EXTRAS_COL not in frame.columns:  # a frame not from the reader: no unknown columns
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(EXTRAS_COL))

    ref_cols = []
    for i, ref in enumerate(extract.references):
        known = references[ref.extract].rename(dict(zip(ref.target_columns, ref.columns)))
        flag = f"_ref{i}"
        known = known.group_by(list(ref.columns)).agg(pl.col("_first_drop").min().alias(flag))
        frame = frame.join(known, on=list(ref.columns), how="left", nulls_equal=False)
        ref_cols.append(flag)
        present = pl.all_horizontal(_present(c) for c in ref.columns)
        unknown = present & (pl.col(flag).is_null() | (pl.col(flag) > drop_date))
        rules.append(
            Rule(
                ",".join(ref.columns),
                "unknown_reference",
                f"no {ref.extract[:-1]} with this {'/'.join(ref.columns)} in this drop or an earlier one",
                unknown,
                IN_SET,
                {"column": reference_column(ref), "value_set": [True]},
            )
        )

    # Each rule is evaluated once: the index of the first broken rule picks reason and column.
    first_broken = pl.coalesce(
        [pl.when(r.bad.fill_null(False)).then(pl.lit(i, dtype=pl.Int32)) for i, r in enumerate(rules)]
    )
    reasons = {i: r.reason for i, r in enumerate(rules)}
    columns = {i: r.column for i, r in enumerate(rules)}
    frame = frame.with_columns(first_broken.alias("_rule"))
    reason = pl.col("_rule").replace_strict(reasons, default=None, return_dtype=pl.String)
    column = pl.col("_rule").replace_strict(columns, default=None, return_dtype=pl.String)
    # The shape message carries the field counts, which only the reader knows.
    reason = pl.when(pl.col(SHAPE_COL).is_not_null()).then(pl.lit("bad_format: ") + pl.col(SHAPE_COL)).otherwise(reason)
    return (
        frame.with_columns(reason.alias(REASON_COL), column.alias(COLUMN_COL)).drop([*ref_cols, "_rule"]).sort(LINE_COL)
    )
