"""Targets the generated data is calibrated to (docs/law_and_models.md §8) and the scales.

Everything a reviewer may want to tune lives here: drop dates, scale sizes, the region
and industry shares of harmful-condition workers, the factor mix, incident rates and the
official regional statistics. Figures marked *decision* are plausible fill-ins where the
monograph gives none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DROP_DATES = (dt.date(2026, 11, 21), dt.date(2026, 11, 22), dt.date(2026, 11, 23))
AS_OF = dt.date(2026, 11, 20)  # the data describes the world up to the eve of the first drop
GRANT_YEAR = 2026

# Which drops carry which extract (indexes into DROP_DATES); a drop may omit a file.
EXTRACT_DROPS: dict[str, tuple[int, ...]] = {"stat_regions": (0, 2)}
# Event rows go to drop 0/1/2 with these weights (drop 0 carries the history).
EVENT_DROP_WEIGHTS = (0.8, 0.12, 0.08)


@dataclass(frozen=True)
class Scale:
    """The size of one generated world: enterprises, contracts, months of payroll and workplace
    sizes."""

    name: str
    enterprises: int  # randomly drawn enterprises (the edge-case enterprises come on top)
    contracts: int  # active contracts of those enterprises on AS_OF
    payroll_months: int  # months of payroll, ending with the month before AS_OF
    wp_size_harmful: float  # mean workers per harmful workplace
    wp_size_other: float
    one_drop: bool = False  # everything in the last drop: a first load of a whole landing


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 4, 90, 6, 3.0, 4.0),
    "small": Scale("small", 1_000, 20_000, 10, 5.0, 7.0),
    "national": Scale("national", 93_000, 1_900_000, 3, 7.0, 10.0),
    # Kazakhstan's whole hired workforce, about 7M contracts with the historic ones, at the
    # national scale's enterprise size and rates; one drop, as a first load would land.
    "workforce": Scale("workforce", 325_000, 6_650_000, 3, 7.0, 10.0, one_drop=True),
}
HISTORIC_SHARE = 0.05  # extra contracts that ended before AS_OF (most before 2026)
HARMFUL_SHARE = 0.205  # ≈ 410k of 2M (§8)
NATIONAL_CONTRACTS = 2_000_000

# Region share of the national harmful-condition workforce, % (§8; the six named
# figures are the monograph's, the other fourteen a *decision* summing to 100).
REGION_SHARES: dict[str, float] = {
    "75": 12.01,
    "35": 8.47,
    "71": 7.70,
    "63": 7.20,
    "55": 6.90,
    "23": 5.80,
    "15": 5.60,
    "47": 4.90,
    "79": 4.60,
    "61": 4.30,
    "19": 4.10,
    "39": 4.00,
    "11": 3.60,
    "27": 3.50,
    "31": 3.40,
    "43": 3.30,
    "59": 3.16,
    "10": 2.97,
    "62": 2.42,
    "33": 2.07,
}
assert abs(sum(REGION_SHARES.values()) - 100.0) < 1e-9

# Towns per region (Kazakh and Russian spellings), used in names and KATO districts.
REGION_TOWNS: dict[str, tuple[str, ...]] = {
    "10": ("Семей", "Аягөз", "Курчатов"),
    "11": ("Көкшетау", "Степногорск", "Щучинск"),
    "15": ("Ақтөбе", "Хромтау", "Кандыагаш"),
    "19": ("Қонаев", "Талгар", "Есик"),
    "23": ("Атырау", "Кульсары", "Макат"),
    "27": ("Орал", "Аксай", "Бурлин"),
    "31": ("Тараз", "Жанатас", "Каратау"),
    "33": ("Талдықорған", "Текели", "Жаркент"),
    "35": ("Қарағанды", "Теміртау", "Шахтинск", "Балхаш"),
    "39": ("Қостанай", "Рудный", "Лисаковск"),
    "43": ("Қызылорда", "Байконур", "Арал"),
    "47": ("Ақтау", "Жаңаөзен", "Бейнеу"),
    "55": ("Павлодар", "Екібастұз", "Аксу"),
    "59": ("Петропавл", "Булаево", "Мамлютка"),
    "61": ("Түркістан", "Кентау", "Сарыағаш"),
    "62": ("Жезқазған", "Сәтбаев", "Қаражал"),
    "63": ("Өскемен", "Риддер", "Зыряновск"),
    "71": ("Астана",),
    "75": ("Алматы",),
    "79": ("Шымкент",),
}


# Industry groups of §8: share of harmful workers, share of the whole workforce and of
# enterprises (*decision*), OKED codes and lognormal size parameter.
@dataclass(frozen=True)
class Industry:
    """An industry group of §8: its shares of harmful workers, workforce and enterprises, OKED
    codes, size spread and name stems."""

    name: str
    harmful_share: float
    workforce_share: float
    enterprise_share: float
    okeds: tuple[str, ...]
    size_sigma: float
    words: tuple[str, ...]  # name stems


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "health",
        0.28,
        0.12,
        0.06,
        ("86101", "86102", "86210", "86901"),
        1.0,
        ("Қалалық аурухана", "Областная больница", "Емхана", "Перинатальный центр", "Медицинский центр"),
    ),
    Industry(
        "manufacturing",
        0.18,
        0.12,
        0.10,
        ("24101", "24421", "24431", "20131", "25110", "10711", "23510", "33120"),
        1.6,
        ("Металлургический комбинат", "Болат", "Алюминий", "Машзавод", "Цемент", "Фосфор", "Жөндеу зауыты"),
    ),
    Industry(
        "transport",
        0.13,
        0.08,
        0.07,
        ("49100", "49311", "49410", "52211", "52101"),
        1.4,
        ("Автобус паркі", "Темір Жол", "Логистика", "Автотранс", "Жүк тасымалы"),
    ),
    Industry(
        "mining",
        0.12,
        0.05,
        0.02,
        ("05101", "07101", "07291", "06100", "08111"),
        1.8,
        ("Көмір", "Угольная компания", "Кен орны", "Горнорудная компания", "Мыс", "Полиметалл"),
    ),
    Industry(
        "construction",
        0.08,
        0.08,
        0.09,
        ("41201", "42111", "43120", "43991"),
        1.2,
        ("Құрылыс", "Строй", "Жол Құрылыс", "Монтаж", "Бетон"),
    ),
    Industry(
        "electricity",
        0.06,
        0.03,
        0.02,
        ("35111", "35301", "35121"),
        1.6,
        ("ЖЭО", "Энергия", "Электр Желілері", "Теплоэнерго", "ГРЭС"),
    ),
    Industry(
        "water", 0.02, 0.02, 0.02, ("36000", "37000", "38110"), 1.2, ("Су Арнасы", "Водоканал", "Тазалық", "Экосервис")
    ),
    Industry(
        "other",
        0.13,
        0.50,
        0.62,
        ("01110", "01410", "45201", "47111", "56101", "85310", "64191", "62010", "96011", "81210", "69201", "84111"),
        1.0,
        ("Агро", "Береке", "Сервис", "Сауда", "Ақ Жол", "Шаруашылық", "Консалтинг", "Байтерек", "Нұр", "Алтын Дән"),
    ),
)
assert abs(sum(i.harmful_share for i in INDUSTRIES) - 1.0) < 1e-9

# Harmful professions per industry: (profession, list_entry, factors..., weight).
# list_entry "" = not on the List; "~CMN" = no list_entry but a common-professions name
# (the fallback lookup). The first factor is the workplace's dominant harmful factor.
HARMFUL_PROFESSIONS: dict[str, tuple[tuple[str, str, tuple[str, ...], float], ...]] = {
    "health": (
        ("Медицинская сестра психиатрического отделения", "HLT-001", ("intensity", "biological"), 0.15),
        ("Лаборант противочумной станции", "HLT-002", ("biological", "chem_benzene"), 0.05),
        ("Врач-инфекционист", "", ("biological", "intensity"), 0.25),
        ("Медицинская сестра", "", ("biological", "intensity"), 0.25),
        ("Рентгенолаборант", "", ("intensity", "chem_carbon_monoxide"), 0.15),
        ("Санитар", "", ("heaviness", "biological"), 0.15),
    ),
    "manufacturing": (
        ("Плавильщик", "MET-001", ("chem_manganese", "microclimate_heat", "noise"), 0.2),
        ("Горновой доменной печи", "MET-002", ("noise", "microclimate_heat"), 0.1),
        ("Электрогазосварщик", "~CMN", ("chem_manganese", "lighting"), 0.1),
        ("Слесарь-ремонтник", "CMN-003", ("noise", "vibration_local"), 0.15),
        ("Машинист крана", "CMN-002", ("heaviness", "noise"), 0.1),
        ("Станочник", "", ("noise", "vibration_local"), 0.2),
        ("Литейщик", "", ("dust_fibrogenic", "noise"), 0.15),
    ),
    "transport": (
        ("Водитель автобуса", "", ("vibration_general", "noise"), 0.35),
        ("Машинист локомотива", "", ("noise", "vibration_general"), 0.3),
        ("Слесарь-ремонтник", "CMN-003", ("chem_carbon_monoxide", "noise"), 0.15),
        ("Машинист крана", "CMN-002", ("noise", "heaviness"), 0.1),
        ("Аккумуляторщик", "~CMN", ("chem_p2o5", "noise"), 0.1),
    ),
    "mining": (
        ("Горнорабочий очистного забоя", "MIN-001", ("dust_fibrogenic", "noise"), 0.25),
        ("Проходчик", "MIN-002", ("dust_fibrogenic", "vibration_local"), 0.2),
        ("Машинист горных выемочных машин", "MIN-003", ("noise", "dust_fibrogenic"), 0.15),
        ("Машинист буровой установки", "", ("vibration_general", "noise"), 0.2),
        ("Электрогазосварщик", "~CMN", ("chem_manganese", "noise"), 0.1),
        ("Слесарь-ремонтник", "CMN-003", ("noise", "vibration_local"), 0.1),
    ),
    "construction": (
        ("Электрогазосварщик", "CMN-001", ("chem_manganese", "noise"), 0.25),
        ("Машинист крана", "CMN-002", ("noise", "vibration_general"), 0.2),
        ("Бетонщик", "", ("vibration_local", "dust_fibrogenic"), 0.25),
        ("Машинист экскаватора", "", ("vibration_general", "noise"), 0.2),
        ("Изолировщик на гидроизоляции", "CNS-001", ("chem_benzene", "heaviness"), 0.1),
    ),
    "electricity": (
        ("Машинист котлов", "ENR-001", ("microclimate_heat", "noise"), 0.4),
        ("Слесарь-ремонтник", "CMN-003", ("noise", "dust_fibrogenic"), 0.3),
        ("Электромонтер", "", ("noise", "lighting"), 0.2),
        ("Газорезчик", "CMN-005", ("chem_carbon_monoxide", "noise"), 0.1),
    ),
    "water": (
        ("Оператор очистных сооружений", "", ("chem_carbon_monoxide", "biological"), 0.5),
        ("Слесарь аварийно-восстановительных работ", "", ("heaviness", "noise"), 0.4),
        ("Электрогазосварщик", "~CMN", ("chem_manganese", "noise"), 0.1),
    ),
    "other": (
        ("Тракторист на обработке ядохимикатами", "AGR-001", ("chem_benzene", "vibration_general"), 0.2),
        ("Тракторист", "", ("vibration_general", "noise"), 0.2),
        ("Маляр", "", ("chem_benzene", "heaviness"), 0.15),
        ("Повар", "", ("microclimate_heat", "heaviness"), 0.15),
        ("Электрогазосварщик", "~CMN", ("chem_manganese", "noise"), 0.1),
        ("Машинист крана", "~CMN", ("noise", "vibration_general"), 0.1),
        ("Слесарь-ремонтник", "~CMN", ("noise", "vibration_local"), 0.1),
    ),
}
OTHER_PROFESSIONS: dict[str, tuple[str, ...]] = {
    "health": ("Врач-терапевт", "Медицинский регистратор", "Бухгалтер", "Администратор"),
    "manufacturing": ("Инженер-технолог", "Мастер участка", "Бухгалтер", "Кладовщик", "Контролер ОТК"),
    "transport": ("Диспетчер", "Кассир", "Бухгалтер", "Водитель легкового автомобиля"),
    "mining": ("Горный мастер", "Маркшейдер", "Геолог", "Бухгалтер"),
    "construction": ("Прораб", "Инженер ПТО", "Сметчик", "Бухгалтер"),
    "electricity": ("Инженер-энергетик", "Диспетчер", "Бухгалтер"),
    "water": ("Инженер", "Контролер", "Бухгалтер"),
    "other": (
        "Менеджер",
        "Продавец-кассир",
        "Бухгалтер",
        "Учитель",
        "Экономист",
        "Программист",
        "Юрист",
        "Оператор call-центра",
    ),
}
# Spellings of common-professions names on workplaces with an empty list_entry.
CMN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Электрогазосварщик": ("Электрогазосварщик", "электрогазосварщик ", " ЭЛЕКТРОГАЗОСВАРЩИК"),
    "Машинист крана": ("Машинист крана", "машинист крана", "Машинист  крана "),
    "Слесарь-ремонтник": ("Слесарь-ремонтник", "слесарь-ремонтник", "Слёсарь-ремонтник"),
    "Аккумуляторщик": ("Аккумуляторщик", "аккумуляторщик "),
}

# List entries the generator uses (seeds/reference, seeds/reference/list_entries.csv).
# code -> (leave days, short-week hours or None, nutrition, oppv)
LIST_ENTRIES: dict[str, tuple[int, int | None, str, bool]] = {
    "MIN-001": (36, 36, "lpp:1", True),
    "MIN-002": (30, 36, "lpp:1", True),
    "MIN-003": (36, 36, "lpp:1", True),
    "MET-001": (24, 36, "lpp:3", True),
    "MET-002": (24, 36, "lpp:3", True),
    "CHM-001": (24, 36, "lpp:4А", True),
    "CHM-002": (12, None, "milk", False),
    "HLT-001": (30, 36, "", False),
    "HLT-002": (36, 36, "milk", False),
    "ENR-001": (12, None, "milk", True),
    "AGR-001": (6, None, "milk", False),
    "CNS-001": (12, None, "milk", False),
    "CMN-001": (12, None, "milk", False),
    "CMN-002": (6, None, "", False),
    "CMN-003": (6, None, "milk", False),
    "CMN-004": (12, None, "milk", False),
    "CMN-005": (6, None, "milk", False),
}
COMMON_BY_PROFESSION = {
    "Электрогазосварщик": "CMN-001",
    "Машинист крана": "CMN-002",
    "Слесарь-ремонтник": "CMN-003",
    "Аккумуляторщик": "CMN-004",
    "Газорезчик": "CMN-005",
}

# Factors: (kind, limit). kind: ratio (measured/limit), ratio_dust, diff_noise, diff_vib,
# inverse (limit/measured, lighting) or stated (class given in the act).
FACTORS: dict[str, tuple[str, float | None]] = {
    "noise": ("diff_noise", 80.0),
    "vibration_general": ("diff_vib", 92.0),
    "vibration_local": ("diff_vib", 112.0),
    "dust_fibrogenic": ("ratio_dust", 2.0),
    "chem_manganese": ("ratio", 0.2),
    "chem_phosphorus": ("ratio", 0.03),
    "chem_phosphine": ("ratio", 0.1),
    "chem_p2o5": ("ratio", 1.0),
    "chem_benzene": ("ratio", 5.0),
    "chem_carbon_monoxide": ("ratio", 20.0),
    "lighting": ("inverse", 300.0),
    "heaviness": ("stated", None),
    "intensity": ("stated", None),
    "microclimate_heat": ("stated", None),
    "biological": ("stated", None),
}
MILK_FACTORS = ("chem_manganese", "chem_phosphorus", "chem_phosphine", "chem_p2o5", "chem_benzene")
# Exceedance bands per class (open gaps between classes keep rounding off the edges).
BANDS: dict[str, dict[str, tuple[float, float]]] = {
    "ratio": {
        "2": (0.3, 0.95),
        "3.1": (1.08, 2.9),
        "3.2": (3.2, 9.5),
        "3.3": (10.5, 14.5),
        "3.4": (15.5, 19.5),
        "4": (21.0, 30.0),
    },
    "ratio_dust": {"2": (0.3, 0.95), "3.1": (1.08, 1.9), "3.2": (2.2, 4.8), "3.3": (5.3, 9.5), "3.4": (10.5, 15.0)},
    "diff_noise": {
        "2": (-12.0, -0.5),
        "3.1": (0.6, 4.8),
        "3.2": (5.3, 14.7),
        "3.3": (15.3, 24.7),
        "3.4": (25.3, 34.7),
        "4": (35.5, 40.0),
    },
    "diff_vib": {
        "2": (-8.0, -0.5),
        "3.1": (0.6, 2.8),
        "3.2": (3.3, 5.8),
        "3.3": (6.3, 8.8),
        "3.4": (9.3, 11.8),
        "4": (12.5, 15.0),
    },
    "inverse": {"2": (0.6, 0.95), "3.1": (1.08, 1.9), "3.2": (2.2, 3.0)},
}
HARMFUL_CLASSES = ("3.1", "3.2", "3.3", "3.4", "4")
HARMFUL_CLASS_P = (0.52, 0.30, 0.10, 0.05, 0.03)
# The second factor of a harmful workplace is harmful too with this probability (at 3.1,
# or at 3.2 with SECOND_FACTOR_3_2 of those: two factors at 3.2+ raise the class); a third
# factor (heaviness) is stated with THIRD_FACTOR_P, at 3.1 with THIRD_FACTOR_HARMFUL (three
# factors at 3.1 make 3.2). SECOND_FACTOR_HARMFUL sets how often a worker meets two groups,
# hence the factor mix of docs/law_and_models.md §8 (tests/test_generate.py checks it).
SECOND_FACTOR_HARMFUL = 0.37
SECOND_FACTOR_3_2 = 0.25
THIRD_FACTOR_P = 0.3
THIRD_FACTOR_HARMFUL = 0.15

# Shares that exercise every ЦКТР-style indicator (*decisions*, issue 19): part-time
# contracts below the minimum wage, a second concurrent contract with the same employer,
# enterprises working heavy overtime, active enterprises with no contract left, seasonal
# contracts shorter than 90 days.
MIN_WAGE = 85_000  # KZT a month from 2024 (seeds/scoring/ctr_params.csv)
PART_TIME_SHARE = 0.025
SECOND_CONTRACT_SHARE = 0.008
OVERTIME_ENTERPRISE_SHARE = 0.03
DORMANT_SHARE = 0.02  # of the enterprises, drawn among those of up to 10 workers
SEASONAL_SHARE = 0.3  # of the contracts that ended in 2026
ATTESTATION_CURRENT_FROM = 100  # workers; a larger employer's latest act is valid on AS_OF
DANGEROUS_SITE_RISK = 0.5  # enterprise risk from which a class 3.3+ workplace is a dangerous site
GROUP_ACCIDENT_SHARE = 0.2
COLLECTIVE_COMPLAINT_SHARE = 0.12

# Incidents per year nationally (§8: fatal 190 in 2019, 246 in 2023 — *decision*: 300, that
# trend (+6.7 % a year) carried to 2026, which also gives at least 1 % of the enterprises at
# `small` a fatal accident in 36 months; occupational diseases 662; injuries *decision*: a
# few thousand) and the years generated.
INCIDENTS_PER_YEAR = {"injury": 3_000, "fatal": 300, "occupational_disease": 660}
INCIDENT_START = dt.date(2022, 1, 1)

# Official regional statistics (stat.gov.kz style), national totals by year.
STAT_YEARS = tuple(range(2019, 2026))
STAT_HARMFUL = {2019: 370_000, 2020: 381_500, 2021: 392_300, 2022: 401_800, 2023: 410_300, 2024: 414_900, 2025: 418_200}
STAT_HEAVY = {2019: 94_000, 2020: 96_800, 2021: 99_900, 2022: 103_400, 2023: 107_000, 2024: 108_100, 2025: 109_300}
STAT_FATAL = {2019: 190, 2020: 204, 2021: 221, 2022: 233, 2023: 246, 2024: 241, 2025: 238}
STAT_INJURIES = {2019: 1_510, 2020: 1_420, 2021: 1_560, 2022: 1_610, 2023: 1_650, 2024: 1_630, 2025: 1_600}
STAT_SURVEY_RATIO = 4.6  # surveyed workers per harmful-condition worker
