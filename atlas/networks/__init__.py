"""Collaboration networks: place matching of participations, links, aggregation to regions and network metrics."""
