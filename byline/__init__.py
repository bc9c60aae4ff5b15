"""Byline: a publishing platform for publications that run columnist blogs."""
