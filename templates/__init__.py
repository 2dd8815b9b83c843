"""Jinja2 templates: every text prodgate renders (reports, comments, docs pages)."""
