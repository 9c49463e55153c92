"""Write the deterministic synthetic sample data source (``python -m analysis sample --out DIR [--seed N]``).

The source has the layout of ``data-contract.md`` (reference files, agency reports, Kampung Bahagia RT
reports, residents' survey), realistic messiness, and a list of every injected defect in
``_generator/defects.csv`` (reason codes of ``docs/data_quality_rules.md``). It is marked synthetic
(``SYNTHETIC`` file, README saying "DATA CONTOH — bukan data resmi"). The same seed gives byte-identical files.

Modules: ``world`` (the latent truth), ``formats`` (how values get typed), ``layout`` (titles, totals,
signatures, row bookkeeping), ``build`` (files and defect plan), ``xlsxio`` (byte-identical XLSX/CSV).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from analysis.core.config import SAMPLE_SOURCE, SYNTHETIC_MARKER
from analysis.core.errors import UsageError
from analysis.sample.build import build_source
from analysis.sample.layout import Defect

__all__ = ["DEFAULT_SEED", "Defect", "configure_parser", "generate_sample", "main"]

#: Default seed: the inauguration date, 20 Feb 2025.
DEFAULT_SEED = 20250220
#: Folders the generator owns inside a source; cleared before writing so no stale file survives.
_OWNED = ("referensi", "realisasi", "kampung_bahagia", "survei", "_generator")


def generate_sample(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Defect]:
    """Write the synthetic data source into ``out_dir``; return the injected defects.

    ``out_dir`` must be empty, absent, or an earlier sample (holding the ``SYNTHETIC`` marker): a folder of
    real data is never overwritten.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / SYNTHETIC_MARKER).exists():
        raise UsageError(
            f"{out_dir} is not empty and not a synthetic sample (no {SYNTHETIC_MARKER} file); refusing to write"
        )
    for name in _OWNED:
        if (out_dir / name).exists():
            shutil.rmtree(out_dir / name)
    out_dir.mkdir(parents=True, exist_ok=True)
    return build_source(out_dir, seed)


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", type=Path, default=SAMPLE_SOURCE, help=f"output folder (default: {SAMPLE_SOURCE})"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")


def main(args: argparse.Namespace) -> int:
    defects = generate_sample(args.out, args.seed)
    rejected = len({(d.file, d.row) for d in defects if d.must_reject})
    print(f"wrote synthetic sample to {args.out}: {len(defects)} defects injected, {rejected} rows to reject")
    return 0
