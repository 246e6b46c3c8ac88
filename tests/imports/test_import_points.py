"""Point lists: generated firms placed by coordinates (WGS84 and RD New), by postcode and by city give the same
counts; a gemeente with 3 firms is withheld and no combination of published counts gives the 3 back."""

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.geography.vocabulary import RD_NEW
from atlas.imports.metadata import parse_points_meta
from atlas.imports.points import import_points
from atlas.imports.store import ImportStore

YEAR = 2022
META = 'id = "{id}"\ntitle = "Firms (generated)"\nsource = "test fixture"\nlicence = "none"\nyear = 2022\n'


@pytest.fixture(scope="module")
def firms(data) -> pd.DataFrame:
    """Firms in every gemeente of the COROP with most gemeenten (3 in its first, 10 or more in the others) and
    a few small and large counts elsewhere; categories alternate startup and scale-up."""
    layer = data.boundaries.get("gemeente", YEAR)
    corop = layer["corop_code"].value_counts().index[0]
    inside = layer[layer["corop_code"] == corop]
    counts = {code: 3 if i == 0 else 10 + 2 * i for i, code in enumerate(inside["code"])}
    outside = layer[layer["corop_code"] != corop]["code"].tolist()
    counts.update({code: (i * 7) % 23 for i, code in enumerate(outside[:60])})
    where = layer.set_index("code")
    rd = data.boundaries.projected("gemeente", YEAR, RD_NEW).set_index("code")
    rows = []
    for number, (code, n) in enumerate(counts.items()):
        wgs, rdp = where.geometry.loc[code].representative_point(), rd.geometry.loc[code].representative_point()
        for k in range(n):
            rows.append({"gemeente": code, "lon": wgs.x, "lat": wgs.y, "x": rdp.x, "y": rdp.y,
                         "postcode": f"{1000 + number}{'AB' if k % 2 else 'CD'}", "city": where.loc[code, "name"],
                         "category": "startup" if k % 2 else "scale-up"})
    return pd.DataFrame(rows)


def postcode_table(firms: pd.DataFrame) -> bytes:
    """Four-position rows, and one six-position row that must win over its four-position one."""
    pc4 = firms.assign(pc4=firms["postcode"].str[:4]).drop_duplicates("pc4")
    lines = [f"{pc},{code}" for pc, code in zip(pc4["pc4"], pc4["gemeente"])]
    first = firms.iloc[0]
    lines += [f"{first['postcode'][:4]}ZZ,GM0363"]  # a six-position row for another postcode: not used
    return ("postcode,gemeente_code\n" + "\n".join(lines) + "\n").encode()


def _import(data, firms, columns, dataset_id, postcodes=None):
    content = firms[[*columns, "category"]].to_csv(index=False).encode()
    return import_points(data, f"{dataset_id}.csv", content, parse_points_meta(META.format(id=dataset_id)), postcodes)


@pytest.fixture(scope="module")
def by_method(data, firms):
    return {
        "wgs84": _import(data, firms, ["lon", "lat"], "firms_wgs"),
        "rd_new": _import(data, firms, ["x", "y"], "firms_rd"),
        "postcode": _import(data, firms, ["postcode"], "firms_pc", ("pc.csv", postcode_table(firms))),
        "city": _import(data, firms, ["city"], "firms_city"),
    }


def _published(dataset):
    frame = dataset.observations
    return frame.assign(indicator=frame["indicator"].str.split("__").str[-1].where(
        frame["indicator"].str.contains("__"), "all"))[["indicator", "level", "code", "value", "missing_reason"]]


def test_coordinates_postcode_and_city_give_the_same_counts(by_method, firms):
    reference = _published(by_method["wgs84"]).reset_index(drop=True)
    for method, dataset in by_method.items():
        assert dataset.record["placed_by"] == {"coordinates" if method in ("wgs84", "rd_new") else method: len(firms)}
        assert dataset.record["unplaced"] == []
        pd.testing.assert_frame_equal(_published(dataset).reset_index(drop=True), reference)
    counts = reference[(reference["indicator"] == "all") & (reference["level"] == "gemeente")].set_index("code")
    expected = firms["gemeente"].value_counts()
    published = counts["value"].dropna()
    assert (published[published > 0] == expected.reindex(published[published > 0].index)).all()


def test_unplaced_points_are_listed_with_the_reason(data):
    content = b"city,category\nAmsterdam,startup\nNergenshuizen,startup\n,startup\n"
    dataset = import_points(data, "few.csv", content, parse_points_meta(META.format(id="firms_few")))
    assert dataset.record["unplaced"] == ["row 3: city 'Nergenshuizen' matches no single gemeente",
                                          "row 4: no coordinates, postcode or city"]


def test_a_gemeente_with_three_firms_is_withheld_and_cannot_be_recovered(data, firms, by_method, tmp_path):
    dataset = by_method["wgs84"]
    target = firms["gemeente"].value_counts().loc[lambda s: s == 3].index
    layer = data.boundaries.get("gemeente", YEAR)
    target_code = next(c for c in target if layer.set_index("code").loc[c, "corop_code"] == layer["corop_code"].value_counts().index[0])
    store = ImportStore(tmp_path)
    store.save(dataset, data.catalogue)
    client = TestClient(create_app(data, cache_dir=tmp_path))
    rows = {r["code"]: r for r in client.get("/api/v1/indicators/firms_wgs/values",
                                             params={"level": "gemeente", "year": YEAR}).json()["values"]}
    assert rows[target_code]["value"] is None
    assert rows[target_code]["missing_reason"].startswith("withheld: fewer than 10")
    assert not _determined(data, client, target_code)


def _determined(data, client, target: str) -> bool:
    """Whether the target's count follows from the published counts: every additive relation (COROP = its
    gemeenten, province = its COROP regions, a region's total = its categories) with published values filled in
    is a linear equation in the withheld cells; the target is recovered iff its unit vector lies in their span."""
    layer = data.boundaries.get("gemeente", YEAR)
    indicators = ["firms_wgs", "firms_wgs__startup", "firms_wgs__scale_up"]
    cells: dict[tuple, float | None] = {}
    for indicator in indicators:
        for level in ("gemeente", "corop", "provincie"):
            values = client.get(f"/api/v1/indicators/{indicator}/values", params={"level": level, "year": YEAR}).json()
            cells.update({(indicator, level, r["code"]): r["value"] for r in values["values"]})
    relations = []
    for indicator in indicators:
        for corop, members in layer.groupby("corop_code")["code"]:
            relations.append(((indicator, "corop", corop), [(indicator, "gemeente", m) for m in members]))
        for provincie, members in layer.groupby("provincie_code")["corop_code"]:
            relations.append(((indicator, "provincie", provincie), [(indicator, "corop", m) for m in set(members)]))
    for level, code in {(lv, c) for (_, lv, c) in cells}:
        relations.append((("firms_wgs", level, code), [(i, level, code) for i in indicators[1:]]))
    unknown = sorted(k for k, v in cells.items() if v is None)
    column = {k: i for i, k in enumerate(unknown)}
    matrix = []
    for total, members in relations:
        row = np.zeros(len(unknown))
        for cell, sign in [(total, -1.0), *[(m, 1.0) for m in members]]:
            if cell in column:
                row[column[cell]] += sign
        if row.any():
            matrix.append(row)
    a = np.array(matrix)
    unit = np.zeros(len(unknown))
    unit[column[("firms_wgs", "gemeente", target)]] = 1.0
    return np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a)


def test_the_distributed_path_publishes_the_same_counts(data, firms, by_method):
    """dask-geopandas over 4 partitions (the README's path for lists beyond one machine) gives what the local
    import gives, withheld cells included."""
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("dask_geopandas")
    from atlas.imports.distributed import import_points_distributed

    points = dd.from_pandas(firms[["lon", "lat", "category"]], npartitions=4)
    dataset = import_points_distributed(data, points, parse_points_meta(META.format(id="firms_wgs")), "firms.csv")
    pd.testing.assert_frame_equal(_published(dataset).reset_index(drop=True),
                                  _published(by_method["wgs84"]).reset_index(drop=True))


def test_the_listing_names_no_point_and_the_upload_answers_the_owner(data, tmp_path):
    client = TestClient(create_app(data, cache_dir=tmp_path))
    content = b"city,category\nAmsterdam,startup\nNergenshuizen,startup\n"
    answer = client.post("/api/v1/imports/points", files={"file": ("few.csv", content, "text/csv")},
                         data={"meta": META.format(id="firms_upload")})
    assert answer.status_code == 200, answer.text
    assert answer.json()["unplaced"] == ["row 3: city 'Nergenshuizen' matches no single gemeente"]
    listed = client.get("/api/v1/imports").json()["datasets"]
    assert [(d["id"], d["unplaced"], d["unplaced_count"]) for d in listed] == [("firms_upload", [], 1)]
    assert "Nergenshuizen" not in client.get("/api/v1/imports").text
    amsterdam = client.get("/api/v1/indicators/firms_upload/values", params={"level": "gemeente", "year": YEAR}).json()
    assert next(r for r in amsterdam["values"] if r["code"] == "GM0363")["value"] is None  # 1 firm: withheld
