"""A small hand-made raw input for the risk-score tests (tests/test_risk_scores.py).

Every table follows docs/design.md "Landing → raw": contract columns as VARCHAR (iin
renamed worker_key) plus _drop_date, _file, _line. The cases are chosen for docs/law_and_models.md §5:
  E1 (section C): two units; unit U2's only workplace has no workers (weighs nothing);
     injuries, a disease, an injury older than 36 months (excluded); a checklist.
  E2 (section C): a single unit; a newer assessment after as_of (ignored); a fatal
     accident; no checklist (П3 = 1, flagged).
  E3 (section C): no risk assessment (П1 imputed = mean of section C); no incidents.
  E4, E5 (section F): no incidents at all → max = min in every П2 component → z = 0.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.contract import EXTRACTS  # noqa: E402
from pipelines.identifiers import complete_id  # noqa: E402
from pipelines.ingest.load import create_raw  # noqa: E402

AS_OF = "2025-06-30"
DROP = "2025-06-30"


def bin_(n: int) -> str:
    for k in range(100):
        v = complete_id(f"{(n * 1000 + k):011d}")
        if v:
            return v
    raise ValueError(n)


E = {k: bin_(i) for i, k in enumerate(["E1", "E2", "E3", "E4", "E5"], start=100)}
T, F = "true", "false"

ROWS: dict[str, list[dict]] = {
    "enterprises": [
        dict(bin=E["E1"], name="Завод 1", oked="24101", kato="351010000", status="active", headcount="3"),
        dict(bin=E["E2"], name="Завод 2", oked="24201", kato="351010000", status="active", headcount="3"),
        dict(bin=E["E3"], name="Завод 3", oked="25110", kato="711010000", status="active", headcount="2"),
        dict(bin=E["E4"], name="Стройка 4", oked="41201", kato="711010000", status="active", headcount="1"),
        dict(bin=E["E5"], name="Стройка 5", oked="42110", kato="751010000", status="active", headcount="2"),
    ],
    "workplaces": [
        dict(workplace_id="W1", bin=E["E1"], unit="U1", profession="Плавильщик", list_entry="MET-001"),
        dict(workplace_id="W2", bin=E["E1"], unit="U1", profession="Слесарь-ремонтник"),
        dict(workplace_id="W3", bin=E["E1"], unit="U2", profession="Машинист крана"),
        dict(workplace_id="W4", bin=E["E2"], unit="U1", profession="Плавильщик", list_entry="MET-001"),
        dict(workplace_id="W5", bin=E["E3"], unit="U1", profession="Электрогазосварщик"),
        dict(workplace_id="W6", bin=E["E4"], unit="U1", profession="Каменщик"),
        dict(workplace_id="W7", bin=E["E5"], unit="U1", profession="Каменщик"),
        dict(workplace_id="W8", bin=E["E5"], unit="U2", profession="Бетонщик"),
    ],
    "employees": [
        dict(
            contract_id="C1",
            iin="k01",
            bin=E["E1"],
            workplace_id="W1",
            start_date="2020-01-01",
            monthly_income="400000",
        ),
        dict(
            contract_id="C2",
            iin="k02",
            bin=E["E1"],
            workplace_id="W1",
            start_date="2021-01-01",
            end_date="2026-01-01",
            monthly_income="350000",
        ),
        dict(
            contract_id="C3",
            iin="k03",
            bin=E["E1"],
            workplace_id="W2",
            start_date="2022-01-01",
            monthly_income="250000",
        ),
        dict(
            contract_id="C4",
            iin="k04",
            bin=E["E1"],
            workplace_id="W3",
            start_date="2020-01-01",
            end_date="2024-12-31",
            monthly_income="300000",
        ),
        dict(
            contract_id="C5",
            iin="k05",
            bin=E["E2"],
            workplace_id="W4",
            start_date="2019-01-01",
            monthly_income="500000",
        ),
        dict(
            contract_id="C6", iin="k06", bin=E["E2"], workplace_id="W4", start_date="2019-01-01", monthly_income="80000"
        ),
        dict(
            contract_id="C7",
            iin="k07",
            bin=E["E2"],
            workplace_id="W4",
            start_date="2025-07-01",
            monthly_income="300000",
        ),
        dict(
            contract_id="C8",
            iin="k08",
            bin=E["E3"],
            workplace_id="W5",
            start_date="2023-01-01",
            monthly_income="200000",
        ),
        dict(
            contract_id="C9",
            iin="k09",
            bin=E["E3"],
            workplace_id="W5",
            start_date="2024-09-01",
            end_date="2025-08-31",
            monthly_income="210000",
        ),
        dict(
            contract_id="C10",
            iin="k10",
            bin=E["E4"],
            workplace_id="W6",
            start_date="2024-01-01",
            monthly_income="180000",
        ),
        dict(
            contract_id="C11",
            iin="k11",
            bin=E["E5"],
            workplace_id="W7",
            start_date="2024-01-01",
            monthly_income="190000",
        ),
        dict(
            contract_id="C12",
            iin="k12",
            bin=E["E5"],
            workplace_id="W8",
            start_date="2024-01-01",
            monthly_income="195000",
        ),
    ],
    "risk_assessments": [
        dict(
            workplace_id="W1",
            assessed_on="2024-03-01",
            harm="0.8",
            injury="0.6",
            equipment="0.4",
            ppe="0.2",
            morbidity="0.5",
        ),
        dict(
            workplace_id="W2",
            assessed_on="2024-03-01",
            harm="0.2",
            injury="0.3",
            equipment="0.1",
            ppe="0.0",
            morbidity="0.1",
        ),
        dict(
            workplace_id="W3",
            assessed_on="2024-03-01",
            harm="1.0",
            injury="1.0",
            equipment="1.0",
            ppe="1.0",
            morbidity="1.0",
        ),
        dict(
            workplace_id="W4",
            assessed_on="2023-05-01",
            harm="0.1",
            injury="0.1",
            equipment="0.1",
            ppe="0.1",
            morbidity="0.1",
        ),
        dict(
            workplace_id="W4",
            assessed_on="2025-01-15",
            harm="0.9",
            injury="0.7",
            equipment="0.5",
            ppe="0.6",
            morbidity="0.4",
        ),
        dict(
            workplace_id="W4",
            assessed_on="2025-09-01",
            harm="0.0",
            injury="0.0",
            equipment="0.0",
            ppe="0.0",
            morbidity="0.0",
        ),
        dict(
            workplace_id="W6",
            assessed_on="2025-02-01",
            harm="0.3",
            injury="0.2",
            equipment="0.2",
            ppe="0.3",
            morbidity="0.1",
        ),
        dict(
            workplace_id="W7",
            assessed_on="2025-02-01",
            harm="0.5",
            injury="0.5",
            equipment="0.5",
            ppe="0.5",
            morbidity="0.5",
        ),
        dict(
            workplace_id="W8",
            assessed_on="2025-02-01",
            harm="0.25",
            injury="0.25",
            equipment="0.0",
            ppe="0.0",
            morbidity="0.0",
        ),
    ],
    "attestations": [
        dict(
            attestation_id="A1",
            bin=E["E1"],
            order_no="1",
            order_date="2022-05-01",
            workplace_id="W1",
            factor="heaviness",
            **{"class": "3.2"},
        ),
        dict(
            attestation_id="A1",
            bin=E["E1"],
            order_no="1",
            order_date="2022-05-01",
            workplace_id="W2",
            factor="heaviness",
            **{"class": "2"},
        ),
        dict(
            attestation_id="A2",
            bin=E["E2"],
            order_no="7",
            order_date="2018-01-10",
            workplace_id="W4",
            factor="heaviness",
            **{"class": "3.1"},
        ),
    ],
    "incidents": [
        dict(incident_id="I1", bin=E["E1"], iin="k01", occurred_on="2024-02-10", kind="injury", days_lost="10"),
        dict(incident_id="I2", bin=E["E1"], iin="k03", occurred_on="2023-11-05", kind="injury", days_lost="20"),
        dict(incident_id="I3", bin=E["E1"], iin="k02", occurred_on="2025-01-20", kind="occupational_disease"),
        dict(incident_id="I4", bin=E["E1"], iin="k01", occurred_on="2021-03-01", kind="injury", days_lost="99"),
        dict(
            incident_id="I5",
            bin=E["E2"],
            iin="k05",
            occurred_on="2024-08-01",
            kind="fatal",
            days_lost="0",
            group_accident=T,
        ),
        dict(incident_id="I6", bin=E["E2"], iin="k06", occurred_on="2025-07-05", kind="injury", days_lost="5"),
    ],
    "checklists": [
        dict(
            bin=E["E1"], submitted_on="2024-12-01", **{f"q{i:02d}": (F if i in (1, 5, 9) else T) for i in range(1, 16)}
        ),
        dict(bin=E["E1"], submitted_on="2023-12-01", **{f"q{i:02d}": F for i in range(1, 16)}),
        dict(bin=E["E3"], submitted_on="2025-03-01", **{f"q{i:02d}": T for i in range(1, 16)}),
        dict(bin=E["E3"], submitted_on="2025-08-01", **{f"q{i:02d}": F for i in range(1, 16)}),
        dict(bin=E["E4"], submitted_on="2025-04-01", **{f"q{i:02d}": (F if i == 2 else T) for i in range(1, 16)}),
        dict(bin=E["E5"], submitted_on="2025-04-01", **{f"q{i:02d}": (F if i <= 6 else T) for i in range(1, 16)}),
    ],
    "granted_guarantees": [
        dict(iin="k01", bin=E["E1"], guarantee="additional_leave", year="2025", value="24"),
        dict(iin="k05", bin=E["E2"], guarantee="oppv", year="2025", value="25000"),
    ],
    "payroll": [
        dict(
            iin="k01",
            bin=E["E1"],
            month="2025-04",
            accrued="400000",
            paid="400000",
            paid_on="2025-05-05",
            overtime_hours="4",
        ),
        dict(
            iin="k01",
            bin=E["E1"],
            month="2025-05",
            accrued="400000",
            paid="300000",
            paid_on="2025-06-20",
            overtime_hours="20",
        ),
        dict(iin="k03", bin=E["E1"], month="2025-05", accrued="250000", paid="250000", paid_on="2025-06-05"),
        dict(
            iin="k05",
            bin=E["E2"],
            month="2025-05",
            accrued="500000",
            paid="500000",
            paid_on="2025-06-03",
            overtime_hours="2",
        ),
        dict(iin="k06", bin=E["E2"], month="2025-05", accrued="80000", paid="0"),
        dict(iin="k08", bin=E["E3"], month="2025-05", accrued="200000", paid="200000", paid_on="2025-06-01"),
        dict(iin="k10", bin=E["E4"], month="2025-05", accrued="180000", paid="180000", paid_on="2025-06-01"),
        dict(iin="k11", bin=E["E5"], month="2025-05", accrued="190000", paid="190000", paid_on="2025-06-01"),
    ],
    "complaints": [
        dict(complaint_id="K1", bin=E["E2"], received_on="2025-03-01", topic="wages", collective=T),
        dict(complaint_id="K2", bin=E["E2"], received_on="2024-12-01", topic="conditions", collective=F),
        dict(complaint_id="K3", bin=E["E4"], received_on="2023-01-01", topic="time"),
    ],
    "inspections": [
        dict(
            inspection_id="N1",
            bin=E["E2"],
            inspected_on="2024-10-01",
            violations="5",
            gross_violations="2",
            fine_kzt="300000",
        ),
        dict(
            inspection_id="N2",
            bin=E["E3"],
            inspected_on="2024-11-01",
            violations="0",
            gross_violations="0",
            fine_kzt="0",
        ),
    ],
    "collective_agreements": [
        dict(bin=E["E1"], signed_on="2023-01-01", valid_until="2026-01-01", pay_supplement_pct="12", union_present=T),
        dict(bin=E["E3"], signed_on="2020-01-01", valid_until="2023-01-01", union_present=F),
    ],
    "stat_regions": [
        dict(
            year="2024",
            region="35",
            workers_surveyed="1000",
            workers_harmful="300",
            heavy_labour="50",
            injuries="4",
            fatalities="1",
        ),
        dict(year="2024", region="71", workers_surveyed="800", workers_harmful="100", injuries="1", fatalities="0"),
    ],
}


def worker_key(label: str | None) -> str | None:
    """The fixture names workers k01, k02…; raw holds a 32-hex worker_key (design.md)."""
    return None if label is None else hashlib.md5(label.encode()).hexdigest()


def load_raw(con, rows: dict[str, list[dict]] | None = None, drop: set[str] = frozenset()) -> None:
    """Create raw.<extract> for every extract; extracts in `drop` are left empty."""
    rows = ROWS if rows is None else rows
    con.execute("create schema if not exists raw")
    for name, ex in EXTRACTS.items():
        cols = ["worker_key" if c.type == "iin" else c.name for c in ex.columns]
        src = ["iin" if c.type == "iin" else c.name for c in ex.columns]
        insert_columns = ", ".join([*(f'"{c}"' for c in cols), "_drop_date", "_file", "_line"])
        con.execute(f"drop table if exists raw.{name}")
        create_raw(con, ex)
        if name in drop:
            continue
        for line, r in enumerate(rows.get(name, []), start=2):
            vals = [worker_key(r.get(s)) if s == "iin" else r.get(s) for s in src] + [DROP, f"{DROP}/{name}.csv", line]
            con.execute(f"insert into raw.{name} ({insert_columns}) values ({', '.join('?' * len(vals))})", vals)
