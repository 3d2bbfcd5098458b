"""Hand-made enterprises that every scale carries, so that tiny output holds every edge.

- E1 АО «Новоджамбулский фосфорный завод» (Zhambyl): shop No. 5 of phosphorus apparatus
  operators (CHM-001, ЛПП ration 4А) whose workers are granted ОППВ, supplement, leave,
  milk AND ЛПП (the НДФЗ case of docs/law_and_models.md §8: 451 on leave/ЛПП, 439 on the rest at
  national scale), conveyor operators (CHM-002, milk) with three factors at 3.1 (class
  3.2), a welder by the common section, a complaint about working time.
- E2 ТОО «Павлодар Жөндеу Зауыты»: common-professions fallback with case/ё/space
  variants, a crane operator on the List attested class 2 (the contradiction), a smelter
  on the List not subject to attestation, a harmful workplace not on the List whose act
  states class 2 against a measurement of 3.2 (with a second factor at 3.2: class 3.3), a
  fettler at class 4, a worker who moved mid-2026 between two List workplaces,
  under-granted leave, ЛПП, short week and ОППВ, no collective agreement, a fixed-term
  engineer whose contract ends in January 2027, a dismissal complaint.
- E3 ТОО «Қарағанды Көмір»: underground miners with an expired attestation (2020) and
  an older one (2015), wage arrears and late payment, heavy overtime, a fatal group
  accident, both milk and ЛПП granted, a face worker at very high individual risk, a
  latest checklist that fails every question, an inspection with gross violations in
  2024; one miner moved to E1 in 2026.
- E4 a psychiatric hospital (HLT-001, stated classes), over-granted leave, a registrar
  working part-time below the minimum wage, a psychiatric nurse with a second, part-time
  contract in another ward, an inspection that found nothing (2025), a complaint on
  another topic.
- E5 ТОО «Жетісу Құрылыс», E8 ТОО «Ұлытау Геобарлау»: units and workplaces but zero
  headcount; E5 has a collective agreement without a pay supplement, E8 hired two
  drillers for the summer of 2026 (shorter than 90 days) and its geologist left in March
  2026 (its headcount fell from one to none in 12 months).
- E6 a liquidated retailer whose contracts all ended in 2025.
- E7 ТОО "Береке, Ltd": a new enterprise that first appears in the second drop (its name
  needs RFC 4180 quoting).
"""
from __future__ import annotations

import numpy as np
import polars as pl

SCALE_NDFZ = {"tiny": (12, 4), "small": (40, 10), "national": (451, 60)}

ENTERPRISES = [
    # name, group, region, oked, kato, registered, camp1, camp0, behaviour, arrears, late, has_ca, first_drop, status
    ("АО «Новоджамбулский фосфорный завод»", "manufacturing", "31", "20131", "314630100", "1995-03-14", "2024-03-15", None, "ndfz", False, False, True, 0, "active"),
    ("ТОО «Павлодар Жөндеу Зауыты»", "manufacturing", "55", "33120", "551010000", "2008-07-01", "2023-09-12", None, "under", False, True, False, 0, "active"),
    ("ТОО «Қарағанды Көмір»", "mining", "35", "05101", "352410000", "2001-02-20", "2020-04-20", "2015-04-10", "milk_lpp", True, True, True, 0, "active"),
    ("КГП на ПХВ «Қарағанды облыстық психиатриялық ауруханасы»", "health", "35", "86101", "351010000", "1998-11-05", "2025-02-03", None, "over", False, False, True, 0, "active"),
    ("ТОО «Жетісу Құрылыс»", "construction", "33", "41201", "331010000", "2021-05-17", "2024-06-01", None, "as_list", False, False, True, 0, "active"),
    ("ТОО «Ақтөбе Сауда»", "other", "15", "47111", "151010000", "2012-09-01", "2019-12-20", None, "none", False, False, False, 0, "liquidated"),
    ('ТОО "Береке, Ltd"', "construction", "71", "43991", "711210000", "2026-11-19", None, None, "none", False, False, False, 1, "active"),
    ("ТОО «Ұлытау Геобарлау»", "mining", "62", "07291", "621010000", "2019-03-11", None, None, "as_list", False, False, False, 0, "active"),
]

# (enterprise, tag, unit, profession, list_entry, subject, harmful, mode, entry, f1, f2, class, disagree, workers)
def workplaces(scale: str) -> list[tuple]:
    apparatus, conveyor = SCALE_NDFZ[scale]
    return [
        (0, "E1_app", "Цех №5", "Аппаратчик производства фосфора", "CHM-001", True, True, "attested_harmful", "CHM-001", "chem_phosphorus", "chem_phosphine", "3.2", False, apparatus),
        (0, "E1_conv", "Цех №5", "Машинист конвейера", "CHM-002", None, True, "attested_harmful", "CHM-002", "chem_p2o5", "noise", "3.1", False, conveyor),
        (0, "E1_weld", "Ремонтно-механический цех", "Электрогазосварщик", None, True, True, "attested_harmful", "CMN-001", "chem_manganese", "noise", "3.1", False, 2),
        (0, "E1_adm", "Бухгалтерия", "Бухгалтер", None, False, False, "not_subject", None, "lighting", "intensity", "2", False, 3),
        (1, "E2_weld", "Цех №1", "Электрогазосварщик", None, True, True, "attested_harmful", "CMN-001", "chem_manganese", "lighting", "3.1", False, 2),
        (1, "E2_weld2", "Цех №2", "электрогазосварщик ", None, None, True, "attested_harmful", "CMN-001", "chem_manganese", "noise", "3.2", False, 2),
        (1, "E2_fit", "Цех №2", "Слёсарь-ремонтник", None, True, True, "attested_harmful", "CMN-003", "noise", "vibration_local", "3.1", False, 2),
        (1, "E2_crane", "Цех №1", "Машинист крана", "CMN-002", True, True, "contradiction", "CMN-002", "noise", "heaviness", "2", False, 2),
        (1, "E2_smelt", "Литейный участок", "Плавильщик", "MET-001", False, True, "not_attested", "MET-001", "chem_manganese", "microclimate_heat", "3.2", False, 2),
        (1, "E2_lathe", "Цех №1", "Станочник", None, True, True, "attested_harmful", None, "noise", "vibration_local", "3.2", True, 2),
        (1, "E2_eng", "Администрация", "Инженер-технолог", None, False, False, "not_subject", None, "lighting", "intensity", "2", False, 1),
        (1, "E2_fettle", "Цех №1", "Обрубщик", None, True, True, "attested_harmful", None, "noise", "vibration_local", "4", False, 2),
        (2, "E3_min1", "Участок №1", "Горнорабочий очистного забоя", "MIN-001", True, True, "attested_harmful", "MIN-001", "dust_fibrogenic", "noise", "3.3", False, 4),
        (2, "E3_min2", "Участок №2", "Проходчик", "MIN-002", True, True, "attested_harmful", "MIN-002", "dust_fibrogenic", "vibration_local", "3.2", False, 3),
        (2, "E3_adm", "Администрация", "Горный мастер", None, True, False, "attested_ok", None, "noise", "lighting", "2", False, 2),
        (3, "E4_psy", "Отделение №3", "Медицинская сестра психиатрического отделения", "HLT-001", True, True, "attested_harmful", "HLT-001", "intensity", "biological", "3.2", False, 4),
        (3, "E4_nurse", "Отделение №1", "Медицинская сестра", None, True, True, "attested_harmful", None, "biological", "noise", "3.1", False, 2),
        (3, "E4_adm", "Администрация", "Медицинский регистратор", None, True, False, "attested_ok", None, "lighting", "intensity", "2", False, 2),
        (4, "E5_weld", "Участок №1", "Электрогазосварщик", "CMN-001", True, True, "attested_harmful", "CMN-001", "chem_manganese", "noise", "3.1", False, 0),
        (4, "E5_prorab", "Администрация", "Прораб", None, False, False, "not_subject", None, "lighting", "intensity", "2", False, 0),
        (5, "E6_sell", "Склад", "Продавец-кассир", None, False, False, "not_subject", None, "lighting", "intensity", "2", False, 3),
        (7, "E8_drill", "Геологоразведочный участок", "Машинист буровой установки", None, True, True, "not_attested", None, "vibration_general", "noise", "3.1", False, 0),
        (7, "E8_geo", "Администрация", "Геолог", None, None, False, "not_attested", None, "lighting", "intensity", "2", False, 0),
        (6, "E7_weld", "Участок №1", "Электрогазосварщик", None, None, True, "not_attested", "CMN-001", "chem_manganese", "noise", "3.1", False, 2),
    ]


# The class of the second factor and a third factor with its class, where not (2, none, 2):
# three factors at 3.1 make E1's conveyor 3.2; two at 3.2 raise E2's lathe to 3.3.
FACTOR_CLASSES = {"E1_conv": ("3.1", "heaviness", "3.1"), "E2_lathe": ("3.2", None, "2"),
                  "E2_fettle": ("3.2", None, "2")}
OVERTIME = {2}  # E3 works heavy overtime
VERY_HIGH_RISK = {"E3_min1": {"harm": 0.95, "injury": 0.9, "equipment": 0.7, "ppe": 0.6, "morbidity": 0.9}}
# Contracts that ended before as_of, beyond each workplace's headcount: (tag, start, end).
# E8's two summer drillers (under 90 days) and its geologist, who left in March 2026: E8 had
# one worker 12 months before as_of and has none now (emp_headcount_decline_12m), whatever
# the scale draws.
ENDED_CONTRACTS = (("E8_drill", "2026-06-01", "2026-08-14"), ("E8_drill", "2026-06-01", "2026-08-14"),
                   ("E8_geo", "2018-05-02", "2026-03-31"))
# The drawn contracts changed: (tag, which of its contracts, column, value)
CONTRACT_CHANGES = (("E4_adm", 0, "monthly_income", 62_000), ("E2_eng", 0, "end_date", "2027-01-31"))
# A second contract of the worker of (tag, which) at another workplace: (tag, which, at, start, income)
SECOND_CONTRACTS = (("E4_psy", 0, "E4_nurse", "2025-09-01", 120_000),)


def enterprise_frame(first_e: int) -> pl.DataFrame:
    cols = list(zip(*ENTERPRISES))
    n = len(ENTERPRISES)
    return pl.DataFrame({
        "_e": np.arange(first_e, first_e + n),
        "name": cols[0], "_group": cols[1], "_region": cols[2], "oked": cols[3], "kato": cols[4],
        "registered_on": pl.Series(cols[5]).str.to_date(),
        "_camp1": pl.Series(cols[6], dtype=pl.String).str.to_date(),
        "_camp0": pl.Series(cols[7], dtype=pl.String).str.to_date(),
        "_behaviour": cols[8], "_arrears": cols[9], "_late": cols[10], "_has_ca": cols[11],
        "_first_drop": pl.Series(cols[12], dtype=pl.Int64), "status": cols[13],
        "_risk": [0.8, 0.6, 0.9, 0.5, 0.3, 0.2, 0.4, 0.3],
        "_overtime": [i in OVERTIME for i in range(n)],
    })


def workplace_frame(scale: str, first_e: int) -> tuple[pl.DataFrame, np.ndarray]:
    rows = workplaces(scale)
    c = list(zip(*rows))
    wp = pl.DataFrame({
        "_e": pl.Series(np.asarray(c[0]) + first_e, dtype=pl.Int64), "_tag": c[1], "unit": c[2], "profession": c[3],
        "list_entry": pl.Series(c[4], dtype=pl.String), "subject_to_attestation": pl.Series(c[5], dtype=pl.Boolean),
        "_harmful": c[6], "_mode": c[7], "_entry": pl.Series(c[8], dtype=pl.String), "_f1": c[9], "_f2": c[10],
        "_cls": c[11], "_disagree": c[12],
        "_c2": [FACTOR_CLASSES.get(t, ("2", None, "2"))[0] for t in c[1]],
        "_f3": pl.Series([FACTOR_CLASSES.get(t, ("2", None, "2"))[1] for t in c[1]], dtype=pl.String),
        "_c3": [FACTOR_CLASSES.get(t, ("2", None, "2"))[2] for t in c[1]],
    })
    return wp, np.asarray(c[13], dtype=np.int64)
