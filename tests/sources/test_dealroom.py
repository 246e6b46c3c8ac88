"""Dealroom's ecosystem table read as the file states it: empty cells missing, bad cells reported by line."""

from __future__ import annotations

import shutil

import pytest

from atlas.errors import DataFolderError, DataValidationError
from atlas.sources.dealroom import DEALROOM_FILE, FIGURES, read_ecosystems


def test_reads_every_row_of_the_real_file(shared_dir):
    rows = read_ecosystems(shared_dir)
    assert [r.name for r in rows] == ["Amsterdam", "Eindhoven", "Rotterdam - The Hague", "Utrecht", "Leiden",
                                      "Netherlands", "New Palo Alto"]
    assert [r.kind for r in rows] == ["Metro"] * 5 + ["Country", "Supercluster"]
    assert {r.snapshot for r in rows} == {"2025-09-06T12:35:07.545Z"}
    rotterdam = rows[2]
    assert rotterdam.full_name == "Rotterdam Metropolitan Area"
    assert rotterdam.values["vc_backed_startups_overview"] == 918
    assert rotterdam.values["unicorns_power_law_outcomes"] == 1
    # an empty cell is missing, not zero (Rotterdam has no decacorns column value)
    assert rotterdam.values["decacorns_power_law_outcomes"] is None
    assert all(len(r.values) == 65 for r in rows)  # Dealroom's 70 columns and cache_timestamp, less 5 text columns and has_deepdive
    assert all(f.column in rows[0].values for f in FIGURES)


def _copy(shared_dir, tmp_path, edit):
    target = tmp_path / DEALROOM_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(shared_dir / DEALROOM_FILE, target)
    target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    return tmp_path


def test_a_cell_that_is_not_a_number_is_reported_with_its_line(shared_dir, tmp_path):
    folder = _copy(shared_dir, tmp_path, lambda text: text.replace(",2154,", ",many,", 1))
    with pytest.raises(DataValidationError) as caught:
        read_ecosystems(folder)
    assert caught.value.problems == [
        "dealroom_ecosystems_nl_2025.csv:2: vc_backed_startups_overview 'many' is not a number (empty means missing)"]


def test_a_missing_column_or_file_is_named(shared_dir, tmp_path):
    folder = _copy(shared_dir, tmp_path, lambda text: text.replace("unicorns_power_law_outcomes", "unicorns", 1))
    with pytest.raises(DataValidationError, match="unicorns_power_law_outcomes"):
        read_ecosystems(folder)
    with pytest.raises(DataFolderError, match="dealroom_ecosystems_nl_2025.csv is missing"):
        read_ecosystems(tmp_path / "nowhere")
