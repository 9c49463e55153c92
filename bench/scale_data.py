"""Scaled synthetic data sources for the benchmark (``bench/run.py``).

Two routes, because the data contract caps a city: an RT code is the Kemendagri kelurahan code plus a
three-digit RT number (1-999), and Kota Jambi has 68 kelurahan, so a raw data source can hold at most
68 × 999 = 67,932 RTs.

- :func:`write_raw_source`: a raw data source in the contract's format (``referensi/rt.xlsx``, RT reports as
  CSV, residents' survey as CSV, the sample's programme files), built from the building blocks of
  ``analysis.sample`` (``RTUnit``, ``RTReport``, ``SurveyAnswer``, the ``Messer`` that types values the way
  people do, the row renderers and ``SourceBuilder``). Up to 67,932 RTs; the city of 1,650 RTs by default.
- :func:`write_clean_period`: the cleaned tables of one period written directly as Parquet (the format
  ``analysis.ingest.cleaning`` writes), for any number of RTs, with invented kelurahan codes beyond the 68 real
  ones. Used for 100 × the city (165,000 RTs), which no raw source can hold; it measures the evaluation.

``python bench/scale_data.py --out DIR --rts 1650 --periods 8`` writes a raw source.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import config
from analysis.core.periods import period_info
from analysis.core.reference import kelurahan_table, make_rt_code
from analysis.sample.build import H_REG, H_RT, H_SURVEY, SourceBuilder, _registry_row, _rt_row, _survey_row
from analysis.sample.formats import Messer
from analysis.sample.layout import SheetLayout
from analysis.sample.world import RTReport, RTUnit, SurveyAnswer, lpj_deadline

#: The city's size in the benchmark (issue #6): about 1,650 RTs in Kota Jambi.
CITY_RTS = 1650
#: Eight quarters: 2025-TW1 .. 2026-TW4.
PERIODS = tuple(f"{y}-TW{q}" for y in (2025, 2026) for q in (1, 2, 3, 4))
#: Share of cells typed in a non-canonical way (the sample uses 0.1-0.3; the scaled data is tidier).
MESS_RATE = 0.1
#: Share of RTs surveyed each period, and respondents per surveyed RT.
SURVEY_SHARE, RESPONDENTS = 0.3, 5
ALLOCATION_IDR = 100_000_000


def make_units(n_rts: int, seed: int = 1) -> list[RTUnit]:
    """``n_rts`` RTs spread evenly over the 68 kelurahan (RT numbers 1..k in each), all joining in 2025."""
    kel = kelurahan_table().sort_values("kelurahan_code").reset_index(drop=True)
    per = -(-n_rts // len(kel))
    if per > 999:
        raise ValueError(
            f"{n_rts} RTs need {per} RTs per kelurahan; the contract allows 999 (max 67,932 RTs)"
        )
    rng = np.random.default_rng(seed)
    units = []
    for i in range(n_rts):
        k = kel.iloc[i % len(kel)]
        number = i // len(kel) + 1
        kk = int(np.clip(rng.lognormal(np.log(170), 0.5), 40, 900))
        units.append(
            RTUnit(
                rt_code=make_rt_code(k.kelurahan_code, number),
                kelurahan_code=k.kelurahan_code,
                kelurahan_name=k.kelurahan_name,
                kecamatan_code=k.kecamatan_code,
                kecamatan_name=k.kecamatan_name,
                rw=None,
                rt_number=number,
                households_kk=kk,
                residents=int(kk * 3.7),
                is_kampung_bahagia=True,
                start_year=2025,
                head_name="Ketua RT",
                head_nik="",
                head_phone="",
                quality=float(rng.uniform(0.05, 0.95)),
                role="normal",
                group="A",
                kelurahan_rt_max=per,
            )
        )
    return units


def make_report(u: RTUnit, period: str, rng: np.random.Generator) -> RTReport:
    """One RT's report for ``period`` (budget and activities cumulative in the year, as the contract says)."""
    info = period_info(period)
    share = info.number / 4 * float(rng.uniform(0.6, 1.05)) * (0.6 + 0.4 * u.quality)
    spent = int(ALLOCATION_IDR * share) // 1000 * 1000
    planned = int(rng.integers(3, 9))
    total = int(rng.integers(10, max(11, u.households_kk // 2)))
    complaints = int(rng.integers(0, 6))
    findings = int(rng.integers(0, 3))
    deadline = lpj_deadline(period)
    late = int(rng.integers(-10, 20)) if u.quality < 0.5 else int(rng.integers(-10, 3))
    return RTReport(
        period=period,
        rt=u,
        budget_allocated=ALLOCATION_IDR,
        budget_spent=spent,
        swadaya=int(ALLOCATION_IDR * float(rng.uniform(0, 0.2)) * u.quality) // 1000 * 1000,
        activities_planned=planned,
        activities_completed=min(planned, int(planned * share + 0.5)),
        meetings=int(rng.integers(1, 4)),
        households_at_meetings=int(u.households_kk * float(rng.uniform(0.1, 0.7))),
        participants_women=int(total * float(rng.uniform(0.2, 0.6))),
        participants_total=total,
        info_board=bool(rng.random() < u.quality),
        announced=bool(rng.random() < u.quality),
        lpj_date=date.fromordinal(deadline.toordinal() + late),
        lpj_deadline=deadline,
        findings=findings,
        followed_up=int(rng.integers(0, findings + 1)),
        complaints=complaints,
        resolved=int(rng.integers(0, complaints + 1)),
        asset="berfungsi_penuh" if rng.random() < u.quality else "sebagian",
        maintenance=bool(rng.random() < u.quality),
        note="",
    )


def _csv_value(value: object) -> object:
    """A value as it lands in a CSV file (an Excel date cell becomes ``dd/mm/yyyy`` text)."""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value


def write_raw_source(
    out: Path, n_rts: int = CITY_RTS, periods: tuple[str, ...] = PERIODS, seed: int = 1
) -> Path:
    """A raw data source of ``n_rts`` RTs and ``periods`` in the contract's layout (see module docstring)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "referensi").mkdir(parents=True)
    for name in ("program.csv", "indikator.csv", "target.csv"):
        shutil.copy2(config.SAMPLE_SOURCE / "referensi" / name, out / "referensi" / name)
    (out / config.SYNTHETIC_MARKER).write_text("synthetic benchmark data\n", encoding="utf-8")
    b = SourceBuilder(out, seed)
    units = make_units(n_rts, seed)
    m = Messer(b.rng("registry"), MESS_RATE)
    b.xlsx(
        "referensi/rt.xlsx",
        SheetLayout(sheet_name="RT", headers=H_REG, titles=["DAFTAR RT (DATA UJI SKALA)"]),
        [_registry_row(u, m) for u in units],
    )
    for period in periods:
        rng = b.rng(f"rt-{period}")
        m = Messer(rng, MESS_RATE)
        rows = [_rt_row(make_report(u, period, rng), m) for u in units]
        for row in rows:
            row.cells = {k: _csv_value(v) for k, v in row.cells.items()}
        for i, row in enumerate(rows, start=1):
            row.cells["No"] = i
        b.csv(f"kampung_bahagia/laporan_rt_{period}.csv", H_RT, rows)
        surveyed = [u for u in units if rng.random() < SURVEY_SHARE]
        answers = [
            SurveyAnswer(
                period,
                u,
                f"R{j}",
                tuple(int(x) for x in np.clip(rng.normal(1.8 + 2.8 * u.quality, 0.8, 8).round(), 1, 5)),
            )
            for u in surveyed
            for j in range(1, RESPONDENTS + 1)
        ]
        b.csv(f"survei/survei_warga_{period}.csv", H_SURVEY, [_survey_row(a, m) for a in answers])
    return out


# --------------------------------------------------------------------------------------------------
# Cleaned tables directly (beyond the contract's 67,932 RTs)


def clean_frames(n_rts: int, period: str, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The cleaned tables of one period for ``n_rts`` RTs (columns and dtypes of ``analysis.ingest.schemas``),
    generated vectorised. Kelurahan codes are invented (``15.71.<kec>.<9000 + i>``), 200 RTs each."""
    from analysis.ingest.cleaning import load_cleaned  # noqa: F401  (schemas are validated by the caller)
    from analysis.ingest.schemas import TABLES

    rng = np.random.default_rng([seed, n_rts])
    i = np.arange(n_rts)
    kel_i = i // 200
    kec = (kel_i % 11) + 1
    kel_code = np.char.add(
        np.char.add("15.71.", np.char.zfill(kec.astype(str), 2)), np.char.add(".", (9000 + kel_i).astype(str))
    )
    rt_number = i % 200 + 1
    rt_code = np.char.add(np.char.add(kel_code, "."), np.char.zfill(rt_number.astype(str), 3))
    kk = np.clip(rng.lognormal(np.log(170), 0.5, n_rts), 40, 900).astype(int)
    quality = rng.uniform(0.05, 0.95, n_rts)
    info = period_info(period)
    registry = pd.DataFrame(
        {
            "rt_code": rt_code,
            "kelurahan_code": kel_code,
            "kelurahan_name": np.char.add("Kelurahan ", kel_i.astype(str)),
            "kecamatan_code": np.char.add("15.71.", np.char.zfill(kec.astype(str), 2)),
            "kecamatan_name": np.char.add("Kecamatan ", kec.astype(str)),
            "rw": pd.array([pd.NA] * n_rts, dtype="Int64"),
            "rt_number": rt_number,
            "households_kk": kk,
            "residents": (kk * 3.7).astype(int),
            "is_kampung_bahagia": True,
            "start_year": 2025,
            "is_pilot": True,
        }
    )
    share = info.number / 4 * rng.uniform(0.6, 1.05, n_rts) * (0.6 + 0.4 * quality)
    planned = rng.integers(3, 9, n_rts)
    total = rng.integers(10, 400, n_rts)
    findings = rng.integers(0, 3, n_rts)
    complaints = rng.integers(0, 6, n_rts)
    deadline = pd.Timestamp(lpj_deadline(period))
    reports = pd.DataFrame(
        {
            "period": period,
            "rt_code": rt_code,
            "kelurahan_code": kel_code,
            "budget_allocated_idr": float(ALLOCATION_IDR),
            "budget_spent_idr": np.floor(ALLOCATION_IDR * share / 1000) * 1000,
            "swadaya_idr": np.floor(ALLOCATION_IDR * rng.uniform(0, 0.2, n_rts) * quality / 1000) * 1000,
            "activities_planned": planned,
            "activities_completed": np.minimum(planned, (planned * share + 0.5).astype(int)),
            "meetings_held": rng.integers(1, 4, n_rts),
            "households_at_meetings": (kk * rng.uniform(0.1, 0.7, n_rts)).astype(int),
            "participants_women": (total * rng.uniform(0.2, 0.6, n_rts)).astype(int),
            "participants_total": total,
            "has_info_board": rng.random(n_rts) < quality,
            "is_spending_announced": rng.random(n_rts) < quality,
            "lpj_submitted_date": deadline + pd.to_timedelta(rng.integers(-10, 20, n_rts), unit="D"),
            "lpj_deadline_date": deadline,
            "audit_findings": findings,
            "audit_findings_followed_up": (findings * rng.random(n_rts)).astype(int),
            "complaints_received": complaints,
            "complaints_resolved": (complaints * rng.random(n_rts)).astype(int),
            "asset_status": np.where(rng.random(n_rts) < quality, "berfungsi_penuh", "sebagian"),
            "has_maintenance_plan": rng.random(n_rts) < quality,
            "note": pd.array([pd.NA] * n_rts, dtype="str"),
        }
    )
    reports["is_overspent"] = reports["budget_spent_idr"] > reports["budget_allocated_idr"]
    reports["source_file"] = f"kampung_bahagia/laporan_rt_{period}.csv"
    reports["source_sheet"] = ""
    reports["source_row"] = np.arange(n_rts) + 2
    surveyed = np.flatnonzero(rng.random(n_rts) < SURVEY_SHARE)
    resp = np.repeat(surveyed, RESPONDENTS)
    answers = np.clip(
        rng.normal(1.8 + 2.8 * quality[resp][:, None], 0.8, (len(resp), 8)).round(), 1, 5
    ).astype(int)
    survey = pd.DataFrame(
        {
            "period": period,
            "rt_code": rt_code[resp],
            "respondent_no": np.tile(np.arange(1, RESPONDENTS + 1), len(surveyed)),
            **{
                item: answers[:, j] for j, item in enumerate(("t1", "t2", "p1", "p2", "a1", "a2", "s1", "s2"))
            },
            "source_file": f"survei/survei_warga_{period}.csv",
            "source_row": np.arange(len(resp)) + 2,
        }
    )
    sample_tables = _sample_reference_tables()
    frames = {"rt_registry": registry, "rt_reports": reports, "survey": survey, **sample_tables}
    return {name: _conform(frames[name], name) for name in TABLES}


def _sample_reference_tables() -> dict[str, pd.DataFrame]:
    """Programmes, indicators, targets and an empty agency-report table in the cleaned format (the
    sample's, cleaned once in memory)."""
    from analysis.ingest.cleaning import clean_tables

    tables, _ = clean_tables(config.SAMPLE_SOURCE, "2025-TW3")
    return {name: tables[name] for name in ("programs", "indicators", "targets")} | {
        "agency_reports": tables["agency_reports"].iloc[0:0]
    }


def _conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Cast ``df`` to the dtypes of the cleaned table ``name`` (``analysis.ingest.schemas``)."""
    from analysis.ingest.cleaning import cast_to_spec
    from analysis.ingest.schemas import TABLES, validate_table

    return validate_table(name, cast_to_spec(df, TABLES[name]))


def write_clean_period(processed_dir: Path, n_rts: int, period: str, seed: int = 1) -> Path:
    """Write the cleaned tables of one period as Parquet into ``processed_dir`` (see module docstring)."""
    from analysis.ingest.quality import write_parquet

    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    for name, df in clean_frames(n_rts, period, seed).items():
        write_parquet(df.reset_index(drop=True), processed_dir / f"{name}.parquet")
    return processed_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rts", type=int, default=CITY_RTS)
    parser.add_argument("--periods", type=int, default=len(PERIODS))
    args = parser.parse_args()
    write_raw_source(args.out, args.rts, PERIODS[: args.periods])
    print(f"wrote {args.out}: {args.rts} RTs x {args.periods} periods")


if __name__ == "__main__":
    main()
