"""The landing contract (the landing contract, pipelines/contract.py), declared once.

Ingestion validation, the extract generator, the GX raw suites and the README's
contract table all read this module. Nothing else may keep its own column list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "bin", "iin", "date", "int", "decimal", "bool", "month"]


@dataclass(frozen=True)
class Column:
    """One column of an extract and the rules a landed value must keep."""

    name: str
    type: ColumnType = "text"
    required: bool = False
    domain: tuple[str, ...] | None = None  # allowed values
    min_value: float | None = None  # inclusive lower bound for numbers
    max_value: float | None = None  # inclusive upper bound for numbers
    length: int | None = None  # exact length, for fixed-width codes
    digits: bool = False  # only 0-9
    # A date at most this many days after its drop (dates by role: an end or validity date
    # may lie years ahead, any other date at most a year).
    max_future_days: int = 366
    free_text: bool = False  # names and descriptions: IIN-like runs in them are masked


@dataclass(frozen=True)
class Reference:
    """A column (or columns) that must point at rows of another extract."""

    columns: tuple[str, ...]
    extract: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Extract:
    """One landed extract: a snapshot or an event feed, with its key, columns, references and
    row checks."""

    name: str
    kind: Literal["snapshot", "event"]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = field(default=())
    source: str = ""  # the upstream system, also the dbt source group
    order_after: tuple[str, ...] = field(default=())  # extracts whose keys it references
    checks: tuple[str, ...] = field(default=())  # named row rules beyond single columns

    @property
    def column_names(self) -> list[str]:
        """The column names, in contract order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """The names of the columns that must hold a value."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The column named `name`; KeyError when the extract has none."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def iin_columns(self) -> list[str]:
        """The IIN columns: pseudonymised into worker_key at ingestion."""
        return [c.name for c in self.columns if c.type == "iin"]

    def raw_column(self, name: str) -> str:
        """The column in raw.<extract> for a contract column: an IIN is pseudonymised at
        ingestion into worker_key."""
        return "worker_key" if name in self.iin_columns else name


# Dates outside this window are not plausible for any extract: 1900 typos, far future.
MIN_DATE = "1950-01-01"
MAX_FUTURE_DAYS = 366  # a date more than a year after its drop is rejected …
LONG_FUTURE_DAYS = 3653  # … except an end or validity date: up to 10 years (agreements run 3)

# Every number that passes ingestion fits the type staging casts it to, and the sums and
# products the marts make of it: ints are INTEGER in staging, decimals DOUBLE and, for
# money, DECIMAL(38, 6) sums over millions of rows. A column without a bound of its own
# gets these.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DECIMAL_ABS_MAX = 1e15

BOOL_VALUES = ("true", "false")
CLASSES = ("1", "2", "3.1", "3.2", "3.3", "3.4", "4")
GUARANTEES = (
    "additional_leave",
    "short_week",
    "pay_supplement",
    "milk",
    "therapeutic_nutrition",
    "oppv",
    "ppe",
)

_ENT_REF = Reference(("bin",), "enterprises", ("bin",))
_WP_REF = Reference(("workplace_id",), "workplaces", ("workplace_id",))

EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        Extract(
            "enterprises",
            "snapshot",
            ("bin",),
            (
                Column("bin", "bin", True),
                Column("name", "text", True, free_text=True),
                Column("oked", "text", True, length=5, digits=True),
                Column("kato", "text", True, length=9, digits=True),
                Column("status", "text", True, domain=("active", "liquidated")),
                Column("headcount", "int", min_value=0, max_value=10_000_000),
                Column("registered_on", "date"),
            ),
            source="registry",
            checks=("oked_section", "kato_region"),
        ),
        Extract(
            "workplaces",
            "snapshot",
            ("workplace_id",),
            (
                Column("workplace_id", "text", True),
                Column("bin", "bin", True),
                Column("unit", "text", True, free_text=True),
                Column("profession", "text", True, free_text=True),
                Column("list_entry", "text"),
                Column("subject_to_attestation", "bool"),
            ),
            references=(_ENT_REF,),
            source="hr",
            order_after=("enterprises",),
        ),
        Extract(
            "employees",
            "snapshot",
            ("contract_id",),
            (
                Column("contract_id", "text", True),
                Column("iin", "iin", True),
                Column("bin", "bin", True),
                Column("workplace_id", "text", True),
                Column("start_date", "date", True),
                Column("end_date", "date", max_future_days=LONG_FUTURE_DAYS),
                Column("monthly_income", "decimal", True, min_value=0, max_value=1e10),
            ),
            references=(
                _ENT_REF,
                Reference(("workplace_id", "bin"), "workplaces", ("workplace_id", "bin")),
            ),
            source="hr",
            order_after=("enterprises", "workplaces"),
            checks=("end_after_start",),
        ),
        Extract(
            "attestations",
            "event",
            ("attestation_id", "workplace_id", "factor"),
            (
                Column("attestation_id", "text", True),
                Column("bin", "bin", True),
                Column("order_no", "text", True),
                Column("order_date", "date", True),
                Column("workplace_id", "text", True),
                Column("factor", "text", True),
                Column("measured", "decimal", min_value=0, max_value=1e9),
                Column("limit_value", "decimal", min_value=0, max_value=1e9),
                Column("class", "text", domain=CLASSES),
            ),
            references=(
                _ENT_REF,
                Reference(("workplace_id", "bin"), "workplaces", ("workplace_id", "bin")),
            ),
            source="otib",
            order_after=("enterprises", "workplaces"),
            checks=("factor_known", "class_or_measure"),
        ),
        Extract(
            "risk_assessments",
            "event",
            ("workplace_id", "assessed_on"),
            (
                Column("workplace_id", "text", True),
                Column("assessed_on", "date", True),
                Column("harm", "decimal", True, min_value=0, max_value=1),
                Column("injury", "decimal", True, min_value=0, max_value=1),
                Column("equipment", "decimal", True, min_value=0, max_value=1),
                Column("ppe", "decimal", True, min_value=0, max_value=1),
                Column("morbidity", "decimal", True, min_value=0, max_value=1),
                Column("assessor_bin", "bin"),
            ),
            references=(_WP_REF,),
            source="otib",
            order_after=("workplaces",),
        ),
        Extract(
            "incidents",
            "event",
            ("incident_id",),
            (
                Column("incident_id", "text", True),
                Column("bin", "bin", True),
                Column("iin", "iin"),
                Column("occurred_on", "date", True),
                Column("kind", "text", True, domain=("injury", "fatal", "occupational_disease")),
                Column("days_lost", "int", min_value=0, max_value=10_000),
                Column("group_accident", "bool"),
            ),
            references=(_ENT_REF,),
            source="otib",
            order_after=("enterprises",),
        ),
        Extract(
            "checklists",
            "event",
            ("bin", "submitted_on"),
            (
                Column("bin", "bin", True),
                Column("submitted_on", "date", True),
                *(Column(f"q{i:02d}", "bool", True) for i in range(1, 16)),
                Column("confirmed_by", "bin"),
            ),
            references=(_ENT_REF,),
            source="otib",
            order_after=("enterprises",),
        ),
        Extract(
            "granted_guarantees",
            "event",
            ("iin", "bin", "guarantee", "year"),
            (
                Column("iin", "iin", True),
                Column("bin", "bin", True),
                Column("guarantee", "text", True, domain=GUARANTEES),
                Column("year", "int", True, min_value=1991, max_value=2100),
                Column("value", "decimal", min_value=0, max_value=1e10),
            ),
            references=(_ENT_REF,),
            source="employer",
            order_after=("enterprises",),
        ),
        Extract(
            "payroll",
            "event",
            ("iin", "bin", "month"),
            (
                Column("iin", "iin", True),
                Column("bin", "bin", True),
                Column("month", "month", True),
                Column("accrued", "decimal", True, min_value=0, max_value=1e11),
                Column("paid", "decimal", True, min_value=0, max_value=1e11),
                Column("paid_on", "date"),
                Column("overtime_hours", "decimal", min_value=0, max_value=744),  # the hours of a 31-day month
            ),
            references=(_ENT_REF,),
            source="hr",
            order_after=("enterprises",),
        ),
        Extract(
            "complaints",
            "event",
            ("complaint_id",),
            (
                Column("complaint_id", "text", True),
                Column("bin", "bin", True),
                Column("received_on", "date", True),
                Column("topic", "text", True, domain=("wages", "conditions", "time", "dismissal", "other")),
                Column("collective", "bool"),
            ),
            references=(_ENT_REF,),
            source="inspection",
            order_after=("enterprises",),
        ),
        Extract(
            "inspections",
            "event",
            ("inspection_id",),
            (
                Column("inspection_id", "text", True),
                Column("bin", "bin", True),
                Column("inspected_on", "date", True),
                Column("violations", "int", True, min_value=0, max_value=100_000),
                Column("gross_violations", "int", min_value=0, max_value=100_000),
                Column("fine_kzt", "decimal", min_value=0, max_value=1e12),
            ),
            references=(_ENT_REF,),
            source="inspection",
            order_after=("enterprises",),
        ),
        Extract(
            "collective_agreements",
            "snapshot",
            ("bin",),
            (
                Column("bin", "bin", True),
                Column("signed_on", "date", True),
                Column("valid_until", "date", max_future_days=LONG_FUTURE_DAYS),
                Column("pay_supplement_pct", "decimal", min_value=0, max_value=1000),
                Column("union_present", "bool"),
            ),
            references=(_ENT_REF,),
            source="employer",
            order_after=("enterprises",),
        ),
        Extract(
            "stat_regions",
            "event",
            ("year", "region"),
            (
                Column("year", "int", True, min_value=1991, max_value=2100),
                Column("region", "text", True, length=2, digits=True),
                Column("workers_surveyed", "int", True, min_value=0, max_value=100_000_000),
                Column("workers_harmful", "int", True, min_value=0, max_value=100_000_000),
                Column("heavy_labour", "int", min_value=0, max_value=100_000_000),
                Column("injuries", "int", min_value=0, max_value=100_000_000),
                Column("fatalities", "int", min_value=0, max_value=100_000_000),
            ),
            source="stat",
            checks=("region_known",),
        ),
    )
}

# Reference codes that row validation needs (seeds/reference). The dbt
# seeds hold the full reference data; these are the codes the contract itself names.
REGION_CODES = (
    "10",
    "11",
    "15",
    "19",
    "23",
    "27",
    "31",
    "33",
    "35",
    "39",
    "43",
    "47",
    "55",
    "59",
    "61",
    "62",
    "63",
    "71",
    "75",
    "79",
)
FACTOR_CODES = (
    "noise",
    "vibration_general",
    "vibration_local",
    "dust_fibrogenic",
    "chem_manganese",
    "chem_phosphorus",
    "chem_phosphine",
    "chem_p2o5",
    "chem_benzene",
    "chem_carbon_monoxide",
    "lighting",
    "heaviness",
    "intensity",
    "microclimate_heat",
    "biological",
)
STATED_CLASS_FACTORS = ("heaviness", "intensity", "microclimate_heat", "biological")


DROP_DIR_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SUCCESS_MARKER = "_SUCCESS"


def ingest_order() -> list[str]:
    """Extracts ordered so that every referenced extract is loaded first."""
    done: list[str] = []
    pending = list(EXTRACTS)
    while pending:
        for name in pending:
            if all(dep in done for dep in EXTRACTS[name].order_after):
                done.append(name)
                pending.remove(name)
                break
        else:  # pragma: no cover - a cycle is a bug in this module
            raise RuntimeError(f"reference cycle among {pending}")
    return done
