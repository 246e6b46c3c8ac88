"""Numbers users see: values per level, year and boundary year, re-mapped and aggregated by rule."""
