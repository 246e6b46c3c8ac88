"""Read and verify what is in the data folder: manifest, downloads, TopoJSON, boundaries, indicator CSVs, key figures, the catalogue."""
