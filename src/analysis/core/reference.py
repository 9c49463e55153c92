"""Kemendagri reference data for Kota Jambi: 11 kecamatan, 68 kelurahan (``data/README.md`` for attribution)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from analysis.core.config import WILAYAH_CSV

KOTA_CODE = "15.71"  # Kota Jambi, Kemendagri code


@lru_cache(maxsize=1)
def _wilayah() -> pd.DataFrame:
    return pd.read_csv(WILAYAH_CSV, dtype=str, keep_default_na=False)


def kelurahan_table() -> pd.DataFrame:
    """One row per kelurahan: kelurahan_code, kelurahan_name, kecamatan_code, kecamatan_name (68 rows)."""
    df = _wilayah()
    return df.rename(
        columns={
            "kode_kelurahan": "kelurahan_code",
            "nama_kelurahan": "kelurahan_name",
            "kode_kecamatan": "kecamatan_code",
            "nama_kecamatan": "kecamatan_name",
        }
    )[["kelurahan_code", "kelurahan_name", "kecamatan_code", "kecamatan_name"]].copy()


def kecamatan_table() -> pd.DataFrame:
    """One row per kecamatan: kecamatan_code, kecamatan_name (11 rows)."""
    return kelurahan_table()[["kecamatan_code", "kecamatan_name"]].drop_duplicates().reset_index(drop=True)


def make_rt_code(kelurahan_code: str, rt_number: int) -> str:
    """``kode_rt`` = Kemendagri kelurahan code + ``.`` + RT number in 3 digits.

    >>> make_rt_code("15.71.07.1012", 14)
    '15.71.07.1012.014'
    """
    if not 0 < int(rt_number) < 1000:
        raise ValueError(f"RT number out of range 1-999: {rt_number!r}")
    return f"{kelurahan_code}.{int(rt_number):03d}"
