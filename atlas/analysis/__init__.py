"""Regional analysis beyond one map: concentration, spatial clusters, two indicators together, a composite
index, change between two years and the kennissteden benchmark.

Every analysis reads its numbers through ``atlas.figures.values`` (the same harmonised, rounded, qualified
values the map shows) and never geoprocesses on its own; the statistics come from the established stack
(PySAL ``inequality``, ``esda``, ``libpysal``; scipy), not from formulas written here by hand.
"""
