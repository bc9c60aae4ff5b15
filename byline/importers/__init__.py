"""Importers: moving a WordPress site into Byline, and exporting back out."""
