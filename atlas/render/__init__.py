"""What a map is drawn with: classification and schemes, tile grids, PNG and MVT tiles, TileJSON, layer files and HTML exports."""
