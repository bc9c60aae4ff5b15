"""Keep the cached author directory in step with the Author snippets editors change."""

from byline.mailguard.directory import forget_authors


def author_changed(sender, **kwargs) -> None:
    forget_authors()
