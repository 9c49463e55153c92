"""The label catalogue: every word a reader sees, in Bahasa Indonesia (default) and English.

Labels live in ``locales/id.yml`` and ``locales/en.yml`` (nested YAML, same keys in both; the tests check
it). Keys are dotted paths: ``t("report.page_of", "en", page=1, pages=3)`` → ``'Page 1 of 3'``.

>>> t("report.page_of", page=2, pages=5)
'Halaman 2 dari 5'
>>> t("levels.sangat_tinggi", "en")
'Very high'
>>> labels("principles", "en")["transparansi"]
'Transparency'
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from analysis.core.config import load_yaml
from analysis.core.errors import ConfigError
from analysis.core.formatting import DEFAULT_LANG, check_lang

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def catalogue_path(lang: str) -> Path:
    """The YAML file of one language."""
    return LOCALES_DIR / f"{check_lang(lang)}.yml"


def _flatten(tree: dict, path: Path, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if not isinstance(key, str):
            raise ConfigError(f"{path}: key {key!r} under {prefix or 'the top level'} is not text; quote it")
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path, dotted + "."))
        elif isinstance(value, str):
            flat[dotted] = value
        else:
            raise ConfigError(f"{path}: {dotted} must be text, found {type(value).__name__} {value!r}")
    return flat


@cache
def catalogue(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """All labels of one language as ``{dotted.key: text}`` (read once per process)."""
    path = catalogue_path(lang)
    tree = load_yaml(path.read_bytes())
    if not isinstance(tree, dict):
        raise ConfigError(f"{path}: expected a mapping of labels at the top level")
    return _flatten(tree, path)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a label.

    >>> sorted(placeholders("Halaman {page} dari {pages}"))
    ['page', 'pages']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = DEFAULT_LANG, **kwargs: object) -> str:
    """The label ``key`` in ``lang``, with its placeholders filled from ``kwargs``.

    An unknown key or a missing placeholder raises ``KeyError`` naming the key and the catalogue file.
    """
    labels_ = catalogue(lang)
    if key not in labels_:
        raise KeyError(f"label {key!r} is not in {catalogue_path(lang)}")
    text = labels_[key]
    missing = placeholders(text) - set(kwargs)
    if missing:
        raise KeyError(f"label {key!r} in {catalogue_path(lang)} needs {sorted(missing)}")
    return text.format(**kwargs) if kwargs or placeholders(text) else text


def labels(prefix: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every label under ``prefix`` as ``{last key: text}``, e.g. column labels for a table header.

    Raises ``KeyError`` if nothing is under ``prefix``.
    """
    head = prefix.rstrip(".") + "."
    found = {key[len(head) :]: text for key, text in catalogue(lang).items() if key.startswith(head)}
    if not found:
        raise KeyError(f"no labels under {prefix!r} in {catalogue_path(lang)}")
    return found
