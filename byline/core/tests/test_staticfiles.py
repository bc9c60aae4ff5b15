"""Static URLs are worked out once per name and stay right (byline.core.staticfiles)."""

import json

import pytest

from byline.core.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"paths": {"css/byline.css": "css/byline.0123abcd.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_name_is_looked_up_in_the_manifest_once(storage, monkeypatch):
    looked_up = []
    stored_name = storage.stored_name
    monkeypatch.setattr(
        storage, "stored_name", lambda name: looked_up.append(name) or stored_name(name)
    )
    assert storage.url("css/byline.css") == "/static/css/byline.0123abcd.css"
    assert storage.url("css/byline.css") == "/static/css/byline.0123abcd.css"
    assert looked_up == ["css/byline.css"]


def test_debug_and_a_new_manifest_are_seen(storage, settings):
    assert storage.url("css/byline.css") == "/static/css/byline.0123abcd.css"
    settings.DEBUG = True
    assert storage.url("css/byline.css") == "/static/css/byline.css"
    settings.DEBUG = False
    # collectstatic hashes the files again: what was kept is forgotten.
    list(storage.post_process({}, dry_run=True))
    storage.hashed_files = {storage.hash_key("css/byline.css"): "css/byline.4567ef01.css"}
    assert storage.url("css/byline.css") == "/static/css/byline.4567ef01.css"


def test_a_name_missing_from_the_manifest_is_still_an_error(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/gone.js")
