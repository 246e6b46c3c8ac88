"""Indicator tables a user brings: a long CSV and a wide XLSX of made-up values per COROP, imported, drawn as
tiles, shown in profiles, aggregated to provinces by the declared rule; a bad file imports nothing."""

import io

import mapbox_vector_tile
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.errors import ImportRejected
from atlas.imports.metadata import IMPORTED, parse_meta
from atlas.imports.store import ImportStore, with_imports
from atlas.imports.tables import import_table
from atlas.render.tilegrid import tile_containing

YEARS = (2021, 2022)


def meta(indicator_id: str, level: str = "corop") -> str:
    return (f'id = "{indicator_id}"\ntitle = "Business R&D (made up)"\nunit = "EUR million"\nkind = "count"\n'
            f'aggregation = "sum"\ndirection = "higher_is_better"\nsource = "test fixture, made-up values"\n'
            f'licence = "CC0"\nlevel = "{level}"\nprecision = 2\n')


@pytest.fixture(scope="module")
def corops(data) -> pd.DataFrame:
    return data.boundaries.get("corop", 2022)[["code", "name", "provincie_code"]].reset_index(drop=True)


def made_up(corops: pd.DataFrame, year: int) -> pd.Series:
    """Distinct values per COROP and year, so a mix-up of regions or years shows."""
    return pd.Series([10.25 + 3 * i + (year - 2020) * 100 for i in range(len(corops))], index=corops["code"])


def long_csv(corops: pd.DataFrame) -> bytes:
    rows = [f"{code},{year},{made_up(corops, year)[code]}" for year in YEARS for code in corops["code"]]
    return ("region_code,year,value\n" + "\n".join(rows) + "\n").encode()


def wide_xlsx(corops: pd.DataFrame) -> bytes:
    frame = pd.DataFrame({"region_name": corops["name"],
                          **{str(y): made_up(corops, y).to_numpy() for y in YEARS}})
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name="COROP", index=False)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def cache(data, corops, tmp_path_factory):
    folder = tmp_path_factory.mktemp("imports-cache")
    store = ImportStore(folder)
    store.save(import_table(data, "rd_long.csv", long_csv(corops), parse_meta(meta("test_rd_long"))), data.catalogue)
    store.save(import_table(data, "rd_wide.xlsx", wide_xlsx(corops), parse_meta(meta("test_rd_wide"))), data.catalogue)
    return folder


@pytest.fixture(scope="module")
def client(data, cache):
    return TestClient(create_app(data, cache_dir=cache))


@pytest.mark.parametrize("indicator", ["test_rd_long", "test_rd_wide"])
def test_imported_table_is_in_the_catalogue_marked_and_reaches_provinces(client, indicator):
    entry = client.get(f"/api/v1/indicators/{indicator}").json()
    assert entry["origin"] == IMPORTED
    assert entry["map_levels"] == ["provincie", "corop"]
    assert entry["years_by_level"]["corop"] == list(YEARS)


@pytest.mark.parametrize("indicator", ["test_rd_long", "test_rd_wide"])
def test_values_per_corop_are_the_imported_ones_and_provinces_their_sum(client, corops, indicator):
    for year in YEARS:
        native = client.get(f"/api/v1/indicators/{indicator}/values", params={"level": "corop", "year": year}).json()
        got = {r["code"]: r["value"] for r in native["values"]}
        assert got == pytest.approx(made_up(corops, year).to_dict())
        provinces = client.get(f"/api/v1/indicators/{indicator}/values",
                               params={"level": "provincie", "year": year}).json()
        expected = made_up(corops, year).groupby(corops.set_index("code")["provincie_code"]).sum()
        assert {r["code"]: r["value"] for r in provinces["values"]} == pytest.approx(expected.to_dict())
        assert all(r["aggregated"] for r in provinces["values"])


def test_imported_values_are_drawn_as_tiles(client, corops):
    x, y = tile_containing(5.3, 52.2, 5)
    response = client.get(f"/api/v1/tiles/corop/test_rd_wide/5/{x}/{y}.mvt", params={"year": 2022})
    assert response.status_code == 200
    features = mapbox_vector_tile.decode(response.content)["corop"]["features"]
    values = {f["properties"]["code"]: f["properties"]["value"] for f in features}
    assert values == pytest.approx(made_up(corops, 2022).to_dict())
    png = client.get(f"/api/v1/tiles/provincie/test_rd_long/5/{x}/{y}.png", params={"year": 2022})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"


def test_imported_values_are_in_the_region_profile(client, corops):
    code = corops["code"].iloc[5]
    profile = client.get(f"/api/v1/regions/{code}", params={"year": 2022}).json()
    entry = next(i for i in profile["indicators"] if i["id"] == "test_rd_long")
    assert entry["latest"]["value"] == pytest.approx(made_up(corops, 2022)[code])
    assert [p["value"] for p in entry["series"]] == pytest.approx([made_up(corops, y)[code] for y in YEARS])


def test_a_running_server_picks_up_imports_and_removals(data, corops, tmp_path):
    app_client = TestClient(create_app(data, cache_dir=tmp_path))
    before = app_client.get("/api/v1/health").json()["data_version"]
    assert app_client.get("/api/v1/indicators/test_rd_live").status_code == 404
    ImportStore(tmp_path).save(import_table(data, "t.csv", long_csv(corops), parse_meta(meta("test_rd_live"))),
                               data.catalogue)
    assert app_client.get("/api/v1/indicators/test_rd_live").json()["origin"] == IMPORTED
    assert app_client.get("/api/v1/health").json()["data_version"][:12] != before[:12]  # tile URLs change too
    restarted = with_imports(data, tmp_path)  # what the next start (load_atlas) merges
    assert restarted.catalogue.get("test_rd_live").origin == IMPORTED
    assert app_client.delete("/api/v1/imports/test_rd_live").status_code == 204
    assert app_client.get("/api/v1/indicators/test_rd_live").status_code == 404


BAD = (
    "region_code,year,value\n"
    "XX12,2022,1\n"      # row 2: not a region code
    "CR99,2022,2\n"      # row 3: no such COROP
    "CR01,20x2,3\n"      # row 4: not a year
    "CR02,2022,abc\n"    # row 5: not a number
    "CR03,2022,4\n"
    "CR03,2022,5\n"      # row 7: duplicate of row 6
)


def test_a_file_with_five_kinds_of_error_reports_all_five_and_imports_nothing(data, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        import_table(data, "bad.csv", BAD.encode(), parse_meta(meta("test_bad")))
    problems = caught.value.problems
    assert len(problems) == 5
    for where, what in [("bad.csv:2:region_code", "XX12"), ("bad.csv:3:region_code", "CR99"),
                        ("bad.csv:4:year", "20x2"), ("bad.csv:5:value", "abc"), ("bad.csv:7:value", "already given at bad.csv:6")]:
        assert any(p.startswith(where) and what in p for p in problems), (where, problems)
    client = TestClient(create_app(data, cache_dir=tmp_path))
    response = client.post("/api/v1/imports/indicators", files={"file": ("bad.csv", BAD.encode(), "text/csv")},
                           data={"meta": meta("test_bad")})
    assert response.status_code == 422
    assert len(response.json()["problems"]) == 5
    assert ImportStore(tmp_path).ids() == []
    assert client.get("/api/v1/indicators/test_bad").status_code == 404


def test_upload_imports_a_good_table_and_refuses_an_oversized_one(data, corops, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_MAX_UPLOAD_MB", "1")
    client = TestClient(create_app(data, cache_dir=tmp_path))
    good = client.post("/api/v1/imports/indicators", files={"file": ("rd.csv", long_csv(corops), "text/csv")},
                       data={"meta": meta("test_rd_upload")})
    assert good.status_code == 200, good.text
    assert good.json()["indicators"] == ["test_rd_upload"]
    assert client.get("/api/v1/indicators/test_rd_upload/values", params={"level": "provincie", "year": 2022}).json()[
        "meta"]["aggregated_from"] == "corop 2022"
    big = client.post("/api/v1/imports/indicators", files={"file": ("big.csv", b"x" * 2**21, "text/csv")},
                      data={"meta": meta("test_rd_big")})
    assert big.status_code == 413
    assert [d["id"] for d in client.get("/api/v1/imports").json()["datasets"]] == ["test_rd_upload"]
