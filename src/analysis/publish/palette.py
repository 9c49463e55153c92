"""Colour-blind-safe colours of the charts, and the check that they stay told apart.

Categories that a reader must tell apart (met / below target, the serapan quadrants, rises / falls) take
colours of the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"; the palette Wong 2011,
*Nature Methods* 8:441, recommends), which people with each common colour-vision deficiency can still
distinguish; the charts add a second cue (marker shape, position) where the colour carries a category.
Sequential maps (the heat map) run monotonically in lightness, which every kind of colour vision reads.

:func:`simulate_cvd` (Machado, Oliveira & Fernandes 2009, severity 1.0) and :func:`delta_e` (CIE 1976
L*a*b*) let the tests check that every pair of category colours stays apart under protanopia,
deuteranopia and tritanopia.
"""

from __future__ import annotations

import numpy as np

#: The Okabe–Ito palette (hex sRGB).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: The city's deep green and gold (``charts.PALETTE``): capaian met (≥ 100 %) and below the target. They
#: differ in lightness, so they stay apart under every colour-vision deficiency (tested).
CITY_GREEN = "#1b5e3b"
CITY_GOLD = "#c9a227"
MET = CITY_GREEN
BELOW = CITY_GOLD
#: The serapan scatter's quadrants: high spending with low output, low spending with high output, the rest
#: (the city's brick red beside its green was one colour to a protanope: ΔE 4.6).
HIGH_SPEND_LOW_OUTPUT = OKABE_ITO["vermillion"]
LOW_SPEND_HIGH_OUTPUT = OKABE_ITO["sky_blue"]
OTHER = CITY_GREEN
#: Index changes: a rise and a fall.
RISE = CITY_GREEN
FALL = OKABE_ITO["vermillion"]
#: Groups of colours that one chart uses for categories; each pair must stay apart (tests).
CATEGORY_SETS = {
    "achievement": (MET, BELOW),
    "serapan": (HIGH_SPEND_LOW_OUTPUT, LOW_SPEND_HIGH_OUTPUT, OTHER),
    "movers": (RISE, FALL),
    "distribution": (CITY_GOLD, CITY_GREEN),
}

#: Machado et al. (2009) matrices for full dichromacy, applied to linear sRGB.
CVD_MATRICES = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}


def _to_linear(hex_colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    c = np.array(to_rgb(hex_colour))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    ) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lightness(hex_colour: str) -> float:
    """CIE L* (0 black – 100 white) of a colour.

    >>> round(lightness("#ffffff")), round(lightness("#000000"))
    (100, 0)
    """
    return float(_to_lab(_to_linear(hex_colour))[0])


def simulate_cvd(hex_colour: str, kind: str) -> np.ndarray:
    """The colour as a person with ``kind`` (a key of :data:`CVD_MATRICES`, or ``"normal"``) sees it, as
    linear sRGB."""
    linear = _to_linear(hex_colour)
    return linear if kind == "normal" else CVD_MATRICES[kind] @ linear


def delta_e(a: str, b: str, kind: str = "normal") -> float:
    """CIE 1976 colour difference of two colours as seen with ``kind`` of colour vision (about 2: just
    noticeable; above 20: clearly different colours).

    >>> round(delta_e("#000000", "#ffffff"))
    100
    """
    return float(np.linalg.norm(_to_lab(simulate_cvd(a, kind)) - _to_lab(simulate_cvd(b, kind))))


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; body text wants at least 4.5).

    >>> round(contrast("#000000", "#ffffff"))
    21
    """
    la, lb = (float(np.array([0.2126, 0.7152, 0.0722]) @ _to_linear(c)) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
