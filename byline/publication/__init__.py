"""The publication: its home page, with the latest posts across every blog."""
