"""The command line: import a table (metadata found beside it), see it in `atlas info` and `atlas values`,
remove it; a bad point list is one clear error, exit 2, nothing imported."""

import json
import os
import subprocess
import sys

META = ('id = "test_cli_rd"\ntitle = "Business R&D (made up)"\nunit = "EUR million"\nkind = "count"\n'
        'aggregation = "sum"\nsource = "test fixture"\nlicence = "CC0"\n')


def _atlas(cache, *args):
    return subprocess.run([sys.executable, "-m", "atlas.cli", *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "ATLAS_CACHE_DIR": str(cache)})


def test_import_list_and_remove_a_table(settings, data, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "build").symlink_to(settings.cache_dir / "build")  # the session's build; imports go beside it
    corops = data.boundaries.get("corop", 2022)["code"]
    (tmp_path / "rd.csv").write_text("region_code,year,value\n" + "".join(f"{c},2022,{i}\n" for i, c in enumerate(corops)))
    (tmp_path / "rd.META.toml").write_text(META)
    imported = _atlas(cache, "indicators", "import", str(tmp_path / "rd.csv"))
    assert imported.returncode == 0, imported.stderr
    assert "imported test_cli_rd" in imported.stdout
    info = json.loads(_atlas(cache, "info", "--json").stdout)
    assert [d["id"] for d in info["imports"]] == ["test_cli_rd"]
    assert next(i for i in info["indicators"] if i["id"] == "test_cli_rd")["origin"] == "imported by the user"
    values = _atlas(cache, "values", "test_cli_rd", "--level", "provincie", "--year", "2022")
    assert values.returncode == 0 and len(values.stdout.splitlines()) == 3 + 12
    assert _atlas(cache, "indicators", "remove", "test_cli_rd").returncode == 0
    assert json.loads(_atlas(cache, "info", "--json").stdout)["imports"] == []


def test_a_bad_point_list_is_exit_2_and_imports_nothing(settings, data, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "build").symlink_to(settings.cache_dir / "build")
    (tmp_path / "pc.csv").write_text("postcode,gemeente_code\n12345,GM0363\n1011AB,GM9999\n")
    (tmp_path / "firms.csv").write_text("postcode\n1011AB\n")
    (tmp_path / "META.toml").write_text('id = "test_cli_firms"\ntitle = "Firms"\nsource = "test"\nlicence = "none"\nyear = 2022\n')
    result = _atlas(cache, "points", "import", str(tmp_path / "firms.csv"), "--postcodes", str(tmp_path / "pc.csv"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "pc.csv:2:postcode" in result.stderr and "pc.csv:3:gemeente_code" in result.stderr
    assert not (cache / "imports").exists()
