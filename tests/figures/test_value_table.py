"""The build's value table (atlas.figures.table) answers exactly what the computation it replaces gives.

`computed` is the same atlas without the table (a copy, as any atlas changed after its build is), so every answer
there comes from atlas.figures.values on the observations. Keys are sampled across every indicator, level, year
and boundary year, with a fixed seed so a failure can be replayed.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import shutil

import pandas as pd
import pytest

import atlas.data
from atlas.cache import AtlasCaches
from atlas.data import BUILD_DIR_NAME, load_atlas, read_cache
from atlas.errors import InvalidChoice
from atlas.figures.profiles import region_profile
from atlas.figures.reference import national_reference
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.settings import AtlasSettings

SAMPLE = 80


@pytest.fixture(scope="module")
def computed(data):
    plain = dataclasses.replace(data, caches=AtlasCaches.from_settings())
    assert data.value_table is not None and plain.value_table is None
    return plain


def _keys(data) -> list[tuple]:
    keys = []
    for indicator in data.catalogue.indicators.values():
        for level in available_levels(data, indicator):
            for year in available_years(data, indicator, level):
                keys += [(indicator.id, level, year, b) for b in [None, *data.boundaries.years(level)]]
    return random.Random(15).sample(keys, SAMPLE)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as Python sees it, missing as None: text columns are `str` or `object` depending on whether the
    observations were read from the CSVs or from the cache, which no answer shows."""
    return frame.astype(object).where(frame.notna(), None)


def _answer(data, key):
    try:
        return indicator_values(data, *key)
    except InvalidChoice as refused:
        return str(refused)


@pytest.mark.parametrize("key", range(SAMPLE))
def test_values_from_the_table_equal_the_computation(data, computed, key):
    key = _keys(data)[key]
    table, plain = _answer(data, key), _answer(computed, key)
    if isinstance(plain, str):
        assert table == plain
        return
    assert not isinstance(table, str)
    pd.testing.assert_frame_equal(_plain(table.frame), _plain(plain.frame), check_dtype=False)
    assert table.meta() == plain.meta()
    assert (table.aggregated_from, table.unmatched, table.vintage, table.vintage_basis) == (
        plain.aggregated_from, plain.unmatched, plain.vintage, plain.vintage_basis)
    assert national_reference(data, key[0], table.year, key[1]) == national_reference(computed, key[0], plain.year, key[1])


@pytest.mark.parametrize("code,year", [("GM0344", None), ("GM0363", 2016), ("PV30", None), ("PV26", 2014),
                                       ("CR17", None), ("WK034401", None)])
def test_profiles_from_the_table_equal_the_computation(data, computed, code, year):
    assert region_profile(data, code, year) == region_profile(computed, code, year)


def test_the_table_holds_every_key_and_refusals_with_their_reason(data):
    keys = data.value_table.keys
    refused, held = keys[keys["refused"].notna()], keys[keys["refused"].isna()]
    assert len(refused) and (refused["start"] == refused["stop"]).all() and (held["stop"] > held["start"]).all()
    assert len(data.value_table.rows) == (keys["stop"] - keys["start"]).sum()


def test_a_damaged_value_table_is_rebuilt(settings, data, tmp_path, monkeypatch, caplog):
    """Like every cached file (tests/test_selfheal.py): rebuilt, logged, and written whole again."""
    cache = AtlasSettings(data_dir=settings.data_dir, cache_dir=tmp_path / "cache")
    shutil.copytree(settings.cache_dir / BUILD_DIR_NAME, cache.cache_dir / BUILD_DIR_NAME)
    (cache.cache_dir / BUILD_DIR_NAME / "values.parquet").write_bytes(b"")
    builds: list = []

    def build(settings=None):
        builds.append(settings)
        return data

    monkeypatch.setattr(atlas.data, "build_atlas", build)
    with caplog.at_level(logging.WARNING, logger="atlas.data"):
        healed = load_atlas(cache)
    assert len(builds) == 1 and "value" in caplog.records[0].getMessage()
    again = read_cache(cache.cache_dir, healed.version, cache)
    assert again is not None and again.value_table is not None
    assert len(again.value_table.rows) == len(data.value_table.rows)
    assert region_profile(again, "GM0344") == region_profile(data, "GM0344")
