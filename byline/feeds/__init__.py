"""Feeds, sitemaps, robots.txt and page metadata for machines."""
