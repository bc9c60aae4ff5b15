"""`byline import-wordpress` and `byline export-wordpress`."""
