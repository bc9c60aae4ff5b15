"""Demo content: the reference page's publication, and synthetic sites for scale tests."""
