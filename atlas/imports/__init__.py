"""Bring your own data: indicator tables and point lists, validated, aggregated with disclosure control."""
