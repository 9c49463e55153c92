"""The label catalogue: both languages have the same keys and placeholders."""

import pytest

from analysis.core import config, i18n


def test_catalogues_have_the_same_keys():
    id_keys, en_keys = set(i18n.catalogue("id")), set(i18n.catalogue("en"))
    assert sorted(id_keys - en_keys) == [], "keys only in id.yml"
    assert sorted(en_keys - id_keys) == [], "keys only in en.yml"
    assert len(id_keys) > 50


def test_catalogues_have_the_same_placeholders():
    en = i18n.catalogue("en")
    differ = {
        key: (sorted(i18n.placeholders(text)), sorted(i18n.placeholders(en[key])))
        for key, text in i18n.catalogue("id").items()
        if i18n.placeholders(text) != i18n.placeholders(en[key])
    }
    assert differ == {}


def test_no_empty_labels():
    for lang in ("id", "en"):
        assert [k for k, v in i18n.catalogue(lang).items() if not v.strip()] == []


def test_sample_notice_matches_config():
    assert i18n.t("notice.sample", "id") == config.SAMPLE_NOTICE
    assert i18n.t("notice.sample", "en") == config.SAMPLE_NOTICE_EN


@pytest.mark.parametrize(
    ("key", "lang", "kwargs", "expected"),
    [
        pytest.param("report.page_of", "id", {"page": 2, "pages": 7}, "Halaman 2 dari 7", id="page_id"),
        pytest.param("report.page_of", "en", {"page": 2, "pages": 7}, "Page 2 of 7", id="page_en"),
        pytest.param("levels.sangat_tinggi", "id", {}, "Sangat Tinggi", id="level_id"),
        pytest.param("yes_no.yes", "en", {}, "Yes", id="yes_is_text_not_bool"),
        pytest.param("figure.default_alt", "id", {"title": "Capaian"}, "Grafik: Capaian", id="alt"),
    ],
)
def test_t(key, lang, kwargs, expected):
    assert i18n.t(key, lang, **kwargs) == expected


def test_default_language_is_indonesian():
    assert i18n.t("columns.budget_allocated_idr") == "Pagu anggaran"


def test_unknown_key_and_missing_placeholder_are_named():
    with pytest.raises(KeyError, match="report.nope.*id.yml"):
        i18n.t("report.nope")
    with pytest.raises(KeyError, match="pages"):
        i18n.t("report.page_of", "en", page=1)
    with pytest.raises(ValueError, match="'de'"):
        i18n.t("report.page_of", "de")


def test_labels_by_prefix():
    principles = i18n.labels("principles", "en")
    assert principles == {
        "transparansi": "Transparency",
        "partisipatif": "Participation",
        "akuntabilitas": "Accountability",
        "keberlanjutan": "Sustainability",
    }
    with pytest.raises(KeyError, match="nothing|no labels"):
        i18n.labels("nothing.here")


def test_non_text_value_is_a_config_error(tmp_path):
    from analysis.core.errors import ConfigError

    with pytest.raises(ConfigError, match="a.b must be text"):
        i18n._flatten({"a": {"b": 3}}, tmp_path / "x.yml")
    with pytest.raises(ConfigError, match="not text"):
        i18n._flatten({True: "Ya"}, tmp_path / "x.yml")
