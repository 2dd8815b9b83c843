"""Peers' own test suites read as cases for bench/conformance.py."""
