"""Write COINr's ASEM example as CSVs in COINr's input layout, with COINr's published results.

Source: the R package COINr (MIT licence, github.com/bluefoxr/COINr), ``data/ASEM_iMeta.rda`` (iMeta in
the v1 layout) and ``data/ASEM_COIN.rda`` (the example index built by ``COINr6::build_ASEM()``, every
step's data set). Run once with the two files copied out of the repository; the CSVs land in
``tests/data/coinr_asem/`` (see its README). Usage:
``python scripts/make_coinr_asem.py ASEM_iMeta.rda ASEM_COIN.rda tests/data/coinr_asem``
"""

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import rda_reader  # noqa: E402

GROUPS = {
    "Group_GDP": "GDP_group",
    "Group_GDPpc": "GDPpc_group",
    "Group_Pop": "Pop_group",
    "Group_EurAsia": "EurAsia_group",
}
DENOMINATORS = {"Den_Area": "Area", "Den_Energy": "Energy", "Den_GDP": "GDP", "Den_Pop": "Population"}


def main(imeta_rda: str, coin_rda: str, out: str) -> None:
    out_dir = Path(out)
    imeta = rda_reader.to_py(rda_reader.load(imeta_rda)["ASEM_iMeta"])
    coin = rda_reader.to_py(rda_reader.load(coin_rda)["ASEM_COIN"])
    imeta = imeta.astype({"Level": "Int64", "Direction": "Int64"})
    imeta.to_csv(out_dir / "iMeta.csv", index=False)
    inds = imeta.loc[imeta["Type"] == "Indicator", "iCode"].tolist()
    raw = coin["Data"]["Raw"].rename(
        columns={"UnitCode": "uCode", "UnitName": "uName", "Year": "Time", **GROUPS}
    )
    dens = coin["Input"]["Denominators"].rename(columns={"UnitCode": "uCode", **DENOMINATORS})
    idata = raw[["uCode", "uName", *GROUPS.values(), "Time"]].merge(
        dens[["uCode", *DENOMINATORS.values()]], on="uCode", validate="1:1"
    )
    idata = pd.concat([idata, raw[inds]], axis=1)
    idata.to_csv(out_dir / "iData.csv", index=False, float_format="%.17g")
    for name in ("Treated", "Aggregated"):
        data = coin["Data"][name].rename(columns={"UnitCode": "uCode", "UnitName": "uName"})
        keep = ["uCode"] + [c for c in data.columns if c in set(imeta["iCode"])]
        data[keep].to_csv(out_dir / f"coinr_{name.lower()}.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main(*sys.argv[1:4])
