"""Moran's I and LISA: the atlas's answer equals esda run directly on the same real figures, and a synthetic
checkerboard is strongly negatively autocorrelated."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from esda.moran import Moran
from libpysal.weights import Queen, lat2W

from atlas.analysis.clusters import SEED, cluster_labels, clusters, moran_global, summary
from atlas.errors import InvalidChoice
from atlas.geography.vocabulary import RD_NEW


def test_moran_on_higher_educated_equals_esda(data):
    result = clusters(data, "kwb_pct_higher_educated", "gemeente", 2022, permutations=999)
    rows = data.observations_of("kwb_pct_higher_educated")
    rows = rows[(rows["level"] == "gemeente") & (rows["year"] == 2022) & rows["value"].notna()]
    layer = data.boundaries.projected("gemeente", 2022, RD_NEW)
    layer = layer[layer["code"].isin(rows["code"])].reset_index(drop=True)
    y = layer["code"].map(rows.set_index("code")["value"]).to_numpy(dtype=float)
    w = Queen.from_dataframe(layer, use_index=False, silence_warnings=True)
    assert sorted(layer["code"][i] for i in w.islands) == sorted(i["code"] for i in result.weights["islands"])
    connected = [i for i in range(len(y)) if i not in set(w.islands)]  # esda directly, leaving the islands out
    kept = layer.iloc[connected].reset_index(drop=True)
    w_direct = Queen.from_dataframe(kept, use_index=False, silence_warnings=True)
    direct = Moran(y[connected], w_direct, permutations=99)
    ours_without_islands = moran_global(y[connected], w_direct, 99)
    assert ours_without_islands["I"] == pytest.approx(direct.I, rel=1e-12)
    assert ours_without_islands["expected_I"] == pytest.approx(direct.EI)
    # with the islands joined to their nearest neighbour, as the atlas does, I barely moves and stays significant
    assert result.moran["I"] == pytest.approx(direct.I, abs=0.02) and result.moran["I"] > 0.3
    assert result.moran["p_sim"] == pytest.approx(1 / 1000) and result.moran["n"] == len(y)


def test_same_request_same_answer_and_seed_stated(data):
    first = summary(clusters(data, "kwb_pct_higher_educated", "gemeente", 2022, permutations=199), 0.05)
    data.caches.analyses.put(("unrelated",), None)
    again = summary(clusters(data, "kwb_pct_higher_educated", "gemeente", 2022, permutations=199), 0.05)
    assert first == again and first["seed"] == SEED and "199 permutations" in first["legend_note"]
    assert set(first["counts"]) == {"HH", "LL", "HL", "LH", "ns"} and first["counts"]["HH"] > 0


def test_knn_weights_and_bad_choices(data):
    result = clusters(data, "kwb_pct_higher_educated", "gemeente", 2022, weights="knn", k=5, permutations=99)
    assert result.weights["kind"] == "knn" and result.weights["mean_neighbours"] == 5 and not result.weights["islands"]
    with pytest.raises(InvalidChoice):
        clusters(data, "kwb_pct_higher_educated", "gemeente", 2022, permutations=1000)
    with pytest.raises(InvalidChoice):
        cluster_labels(result, 0.2)


def test_checkerboard_is_strongly_negative():
    size = 8
    y = np.array([(r + c) % 2 for r in range(size) for c in range(size)], dtype=float)
    squares = gpd.GeoDataFrame(geometry=[shapely.box(c, -r, c + 1, -r + 1) for r in range(size) for c in range(size)])
    rook = lat2W(size, size, rook=True)  # neighbours across an edge: every one of the other colour
    rook.transform = "r"
    result = moran_global(y, rook, 999)
    assert result["I"] == pytest.approx(-1.0) and result["p_sim"] == pytest.approx(1 / 1000)
    # queen contiguity adds the diagonal neighbours, which share the colour: the pattern then nearly cancels
    queen = Queen.from_dataframe(squares, use_index=False, silence_warnings=True)
    queen.transform = "r"
    assert -0.2 < moran_global(y, queen, 99)["I"] < 0
