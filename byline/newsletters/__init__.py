"""Newsletters: readers subscribe to a column, an author or the whole publication by e-mail."""
