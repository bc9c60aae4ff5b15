"""Attachments of an import: files from --media-dir become Wagtail images and documents.

A file becomes an image only if the admin's own image upload would take it: the file field of
the form WAGTAILIMAGES_IMAGE_FORM_BASE names (byline.images.forms.StrictImageForm), with its
extensions (no SVG, which can carry scripts), size and pixel limits, and a full decode. What it
refuses is named in the import report with the form's reason, and the import goes on without
it. Documents are the WAGTAILDOCS_EXTENSIONS types, as in the admin.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

from byline.importers.convert import ImageRef, plain
from byline.importers.links import media_key
from byline.importers.state import Place

if TYPE_CHECKING:
    from pathlib import Path

    from django import forms
    from django.db.models.fields.files import FieldFile

    from byline.importers.scan import ItemInfo, ScannedFile
    from byline.importers.state import ImportState


class _LocalFile(File):
    """A file in --media-dir, handed to the upload form's field as Django hands it an upload
    spooled to disk, so that the image is read from there rather than copied into memory."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _image_upload_field() -> forms.Field:
    """The file field of the admin's image upload form, with every check it makes."""
    return get_image_form(get_image_model())().fields["file"]


def import_media(state: ImportState, scanned: ScannedFile) -> None:
    """Every attachment found in --media-dir, and the new address of each old file."""
    media_dir = state.options.media_dir
    attachments = [info for info in scanned.items.values() if info.post_type == "attachment"]
    if attachments and media_dir is None:
        state.report.notes.append(
            f"{len(attachments)} attachments were not imported: no --media-dir given"
        )
    image_field = _image_upload_field() if attachments and media_dir else None
    for info in attachments:
        url = _import_attachment(state, info, image_field) if media_dir else None
        if url:
            state.places[info.key] = Place(url=url)
            if info.attachment_url:
                # The file under its own name, and under the name its size variants
                # (photo-300x200.jpg) reduce to unless a file of that very name exists.
                state.links.media[file_key(info.attachment_url)] = url
                state.links.media.setdefault(media_key(info.attachment_url), url)


def _refusal(image_field: forms.Field, candidate: Path) -> str | None:
    """Why the admin's image upload would refuse this file, or None if it would take it."""
    with candidate.open("rb") as handle:
        try:
            image_field.clean(_LocalFile(handle, name=candidate.name))
        except ValidationError as error:
            return " ".join(error.messages)
    return None


def _import_attachment(state: ImportState, info: ItemInfo, image_field: forms.Field) -> str | None:
    media_dir = state.options.media_dir
    relative = media_key(info.attachment_url) if info.attachment_url else ""
    if not relative:
        state.report.notes.append(f"attachment {info.key} has no file address")
        return None
    candidate = (
        media_dir
        / unquote(urlsplit(info.attachment_url).path).split("/uploads/", 1)[-1].lstrip("/")
    ).resolve()
    # Only files inside --media-dir: the export names the path, and an export is not
    # trusted to choose which local file gets read (../../etc/passwd, symlinks).
    if not candidate.is_relative_to(media_dir) or not candidate.is_file():
        state.report.notes.append(f"attachment {info.key}: {relative} not found in --media-dir")
        return None
    extension = candidate.suffix.lower().lstrip(".")
    title = (info.title or candidate.stem)[:255]
    if extension in settings.WAGTAILDOCS_EXTENSIONS:
        model, kind = get_document_model(), "document"
    elif refusal := _refusal(image_field, candidate):
        state.report.notes.append(f"attachment {info.key}: {relative} refused: {refusal}")
        return None
    else:
        model, kind = get_image_model(), "image"
    obj = state.mappings.object("attachment", info.key, model)
    if obj is None:
        with candidate.open("rb") as handle:
            obj = model(title=title)
            try:
                obj.file.save(candidate.name, File(handle), save=False)
            finally:
                # Noted even when the import is stopped right after the save (Ctrl-C, a
                # SIGTERM): a file stored and not noted would stay behind the rollback.
                if obj.file.name:
                    state.stored_files.append(obj.file)
            try:
                # Size and hash, as the admin's upload forms record them: a download link
                # shows the size, and Wagtail finds duplicates by the hash.
                for setter in ("_set_document_file_metadata", "_set_image_file_metadata"):
                    if hasattr(obj, setter):
                        getattr(obj, setter)()
                obj.save()
            except Exception as error:  # Pillow or the storage refusing the file
                state.report.notes.append(f"attachment {info.key}: {error}")
                return None
        state.report.counts[f"{kind}s"] += 1
    state.mappings.remember("attachment", info.key, obj, old_url=info.link[:2000])
    if kind == "image":
        ref = ImageRef(pk=obj.pk, alt=title, url=obj.file.url, caption=plain(info.caption)[:500])
        state.images[file_key(info.attachment_url)] = ref
        state.images.setdefault(media_key(info.attachment_url), ref)
        # Content links are rewritten before blocks are made, so the new address too.
        state.images[file_key(obj.file.url)] = ref
        if info.wp_id:
            state.image_by_attachment[info.wp_id] = ref
        return obj.file.url
    return obj.url


def file_key(url: str) -> str:
    """The part of a file's address that names it (after /uploads/, or the whole path on
    WordPress.com's file hosts), size suffix and all: banner-1200x628.jpg is its own file."""
    path = unquote(urlsplit(url.strip()).path)
    if "/uploads/" in path:
        path = path.split("/uploads/", 1)[1]
    return path.lstrip("/").lower()


def find_image(state: ImportState, key: str | int, *, exact: bool = False) -> ImageRef | None:
    """The imported image for an attachment id or a file address, for the converter: the
    file of that very name first; unless `exact`, then the one a size variant was made from."""
    if isinstance(key, int):
        return state.image_by_attachment.get(key)
    if not key:
        return None
    ref = state.images.get(file_key(key))
    if ref is None and not exact:
        ref = state.images.get(media_key(key))
    return ref


def is_hosted_file(url: str) -> bool:
    """A file on WordPress.com's file hosts (name.files.wordpress.com, i0.wp.com)."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.endswith((".files.wordpress.com", ".wp.com")) and "." in host


def rewrite_url(state: ImportState, url: str, missing: list[str]) -> str:
    """An address in content, made new: an imported file by its exact name first (then the
    file a size variant was made from), anything else as the link map says. A WordPress.com
    hosted file that was not imported is added to `missing` and left as it was."""
    parts = urlsplit(url.strip())
    hosted = is_hosted_file(url)
    if hosted or "/uploads/" in parts.path:
        new = state.links.media.get(file_key(url)) or state.links.media.get(media_key(url))
        if new:
            return f"{new}#{parts.fragment}" if parts.fragment else new
        if hosted:
            missing.append(url)
            return url
    return state.links.rewrite(url)


def attachment_url(scanned: ScannedFile, wp_id: int) -> str | None:
    """The old file address of attachment `wp_id`, for the converter."""
    info = scanned.by_wp_id.get(wp_id)
    if info is None or info.post_type != "attachment":
        return None
    return info.attachment_url or None


def remove_stored_files(stored_files: list[FieldFile]) -> None:
    """Delete the files an import stored: the database rows go with the rollback, the files
    would stay behind."""
    for stored in stored_files:
        with contextlib.suppress(OSError):
            stored.storage.delete(stored.name)
