"""Benchmarks: scripts that print figures (see each script's docstring)."""
