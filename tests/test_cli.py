import json
import os
import subprocess
import sys


def _atlas(*args, env=None):
    return subprocess.run([sys.executable, "-m", "atlas.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_info_json_lists_boundaries_and_indicators(settings, data):
    result = _atlas("info", "--json", env={"ATLAS_CACHE_DIR": str(settings.cache_dir)})
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["boundaries"]["gemeente"] == {str(y): n for y, n in {2014: 403, 2015: 393, 2016: 390, 2017: 388, 2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345, 2023: 342, 2024: 342, 2025: 342}.items()}
    ids = {i["id"] for i in info["indicators"]}
    assert {"population", "kwb_pct_higher_educated", "ris2019_regional_innovation_index"} <= ids
    assert any(g.startswith("provincie: no boundaries for 1977, 1978") for g in info["coverage_gaps"])
    assert not any(g.startswith("gemeente: no boundaries") for g in info["coverage_gaps"])


def test_values_csv_has_a_header_with_source_and_every_region(settings, data):
    result = _atlas("values", "population", "--level", "provincie", "--year", "2022",
                    env={"ATLAS_CACHE_DIR": str(settings.cache_dir)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# Population (persons); provincie 2022; source: CBS")
    assert lines[1] == "# shown on provincie boundaries of 2022 (the data's own)"
    assert lines[2].startswith("code,name,value")
    assert len(lines) == 3 + 12


def test_bad_indicator_is_a_clear_error_not_a_traceback(settings, data):
    result = _atlas("values", "innovation", "--level", "gemeente", env={"ATLAS_CACHE_DIR": str(settings.cache_dir)})
    assert result.returncode == 2
    assert result.stderr.startswith("atlas: invalid indicator 'innovation'; valid:") and "Traceback" not in result.stderr


def test_missing_data_folder_message(tmp_path):
    result = _atlas("info", env={"ATLAS_DATA_DIR": str(tmp_path / "none"), "ATLAS_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_unreadable_input_file_is_one_line_and_exit_2_before_any_loading(tmp_path):
    for path in (tmp_path / "missing.csv", tmp_path):
        result = _atlas("networks", "import", str(path), env={"ATLAS_DATA_DIR": str(tmp_path / "none")})
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"atlas: {path}: ")
    assert "No such file or directory" in _atlas("networks", "import", str(tmp_path / "missing.csv")).stderr
