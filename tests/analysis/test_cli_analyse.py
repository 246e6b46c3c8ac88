"""`atlas analyse`: the headline numbers on one line, JSON on request, and refusals as one-line errors."""

import json
import os
import subprocess
import sys


def _analyse(settings, *args):
    return subprocess.run([sys.executable, "-m", "atlas.cli", "analyse", *args], capture_output=True, text=True,
                          env={**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir)}, timeout=300)


def test_concentration_headline_and_json(settings, data):
    text = _analyse(settings, "concentration", "h2020_participations", "--level", "gemeente", "--year", "2019")
    assert text.returncode == 0, text.stderr
    assert "5 of 355 regions hold half of 1,223" in text.stdout and "Gini" in text.stdout
    result = json.loads(_analyse(settings, "concentration", "h2020_participations", "--level", "gemeente",
                                 "--top", "3", "--format", "json").stdout)
    assert result["top_n"] == 3 and len(result["top_regions"]) == 3


def test_clusters_and_correlate_headlines(settings, data):
    clusters = _analyse(settings, "clusters", "kwb_pct_higher_educated", "--level", "gemeente", "--year", "2022",
                        "--permutations", "99")
    assert clusters.returncode == 0 and "Moran's I 0.48" in clusters.stdout and "99 permutations" in clusters.stdout
    correlate = _analyse(settings, "correlate", "kwb_pct_higher_educated", "h2020_participations",
                         "--other-per", "inhabitant", "--level", "gemeente", "--year", "2022")
    assert correlate.returncode == 0 and "Spearman 0.296" in correlate.stdout


def test_refusal_is_one_line(settings, data):
    result = _analyse(settings, "concentration", "kwb_pct_higher_educated", "--level", "gemeente")
    assert result.returncode == 2 and result.stderr.startswith("atlas: invalid indicator") and "Traceback" not in result.stderr
