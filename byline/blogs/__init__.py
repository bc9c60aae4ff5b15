"""Blogs (columns), their posts and authors, and the date archive that lists them."""
