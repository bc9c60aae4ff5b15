"""Fault: the disk fills up while an editor uploads images through the admin.

Mounts a small tmpfs (--size, default 6 MB; needs root) as the site's MEDIA_ROOT and page
store, signs in to the Wagtail admin of a scratch site and uploads incompressible images until
the disk is full, reading a few public pages as an anonymous reader after every upload.
Reports each upload's answer and checks that:

- the failure is clear (507 with its message, never a 500);
- it leaves no partial data: every image row's file is on disk whole, and no original file on
  disk lacks its row;
- readers are served throughout (the page store cannot write either: pages are rendered);
- the site recovers once there is space again (the tmpfs is remounted larger): the next
  upload is saved, with no restart.

    .venv/bin/python bench/fault_disk_full.py
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import uuid
from html import unescape
from pathlib import Path

from load_mixed import Site, request
from PIL import Image

MESSAGE = "Not saved: the server is out of disk space"
READS = [
    "/",
    "/blogs/bekkers-blog/",
    "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/",
    "/blogs/bekkers-blog/archive/",
    "/feed/",
]


class Admin:
    """An editor's browser: cookies and CSRF token, no redirects followed."""

    def __init__(self, port: int):
        import http.client

        self.port, self.cookies, self.http = port, {}, http.client

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str = ""):
        connection = self.http.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}", "Origin": f"http://127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content

    def csrf(self, path: str) -> str:
        _, page = self.send("GET", path)
        return unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))

    def post(self, path: str, fields: dict, files: dict | None = None):
        boundary = uuid.uuid4().hex
        out = io.BytesIO()
        for name, value in fields.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            out.write(f"{value}\r\n".encode())
        for name, (filename, data) in (files or {}).items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            )
            out.write(data + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return self.send("POST", path, out.getvalue(), f"multipart/form-data; boundary={boundary}")


def noise_png(side: int) -> bytes:
    """Random pixels: PNG cannot compress them, so each upload really takes its size."""
    image = Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def read_statuses(port: int) -> dict[str, int]:
    """What an anonymous reader gets for each of READS right now."""
    return {path: request(port, "GET", path)[0] for path in READS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="6m", help="tmpfs size for the media (6m)")
    parser.add_argument("--uploads", type=int, default=20, help="uploads to try at most")
    parser.add_argument("--recovered-size", default="64m", help="tmpfs size after the fault")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("this needs root, to mount a small tmpfs as the media directory")
    media = Path(tempfile.mkdtemp(prefix="byline-full-media-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={args.size},mode=0755", "tmpfs", str(media)],
        check=True,
    )
    site = Site(workers=1)
    site.env["MEDIA_ROOT"] = str(media)
    # The page store fills up with the media: reads must not depend on it being writable.
    site.env["BYLINE_PAGECACHE_DIR"] = str(media / "pagecache")
    results, report = [], {}
    try:
        site.prepare()
        site.start()
        admin = Admin(site.port)
        password = (site.var / "admin-password").read_text().strip()
        token = admin.csrf("/admin/login/")
        status, _ = admin.post(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": "admin", "password": password},
        )
        assert status == 302, "could not sign in"
        for number in range(args.uploads):
            data = noise_png(500)  # ~750 KB
            token = admin.csrf("/admin/images/add/")
            status, page = admin.post(
                "/admin/images/add/",
                {"csrfmiddlewaretoken": token, "title": f"upload {number}", "collection": "1"},
                {"file": (f"upload-{number}.png", data)},
            )
            statvfs = os.statvfs(media)
            results.append(
                {
                    "upload": number,
                    "bytes": len(data),
                    "status": status,
                    "clear_message": MESSAGE in page,
                    "free_kb": statvfs.f_bavail * statvfs.f_frsize // 1024,
                    "reads": read_statuses(site.port),
                }
            )
            if status >= 500:
                break  # the disk is full (or the server failed): stop and check
        # Room again, as when an operator frees or grows the disk: no restart.
        subprocess.run(
            ["mount", "-o", f"remount,size={args.recovered_size}", str(media)], check=True
        )
        token = admin.csrf("/admin/images/add/")
        recovered_status, _ = admin.post(
            "/admin/images/add/",
            {"csrfmiddlewaretoken": token, "title": "after recovery", "collection": "1"},
            {"file": ("after-recovery.png", noise_png(500))},
        )
        recovered_reads = read_statuses(site.port)
        code = (
            "import json, os\n"
            "from wagtail.images import get_image_model\n"
            "rows = [(i.file.name, i.file_size, i.file.storage.exists(i.file.name) and "
            "i.file.storage.size(i.file.name)) for i in get_image_model().objects.all()]\n"
            "print(json.dumps(rows))"
        )
        rows = json.loads(site.manage("shell", "-c", code).stdout.strip().splitlines()[-1])
        on_disk = {
            p.relative_to(media).as_posix()
            for p in (media / "original_images").rglob("*")
            if p.is_file()
        }
        report = {
            "tmpfs": args.size,
            "uploads": results,
            "any_500": any(r["status"] >= 500 and r["status"] != 507 for r in results),
            "disk_full_answer": next((r["status"] for r in results if r["status"] == 507), None),
            "image_rows": len(rows),
            "rows_with_missing_or_short_file": [
                name for name, size, actual in rows if size and actual != size
            ],
            "files_without_a_row": sorted(on_disk - {name for name, _, _ in rows}),
            "server_still_serving": Admin(site.port).send("GET", "/healthz")[0] == 200,
            "reads_not_200": [
                (r["upload"], path, code)
                for r in results
                for path, code in r["reads"].items()
                if code != 200
            ],
            "upload_after_recovery": recovered_status,
            "reads_after_recovery": recovered_reads,
        }
    finally:
        site.cleanup()
        subprocess.run(["umount", str(media)], check=False)
        media.rmdir()
    print(json.dumps(report, indent=2))
    ok = (
        report
        and report["disk_full_answer"] == 507
        and not report["any_500"]
        and not report["rows_with_missing_or_short_file"]
        and not report["files_without_a_row"]
        and not report["reads_not_200"]
        and report["upload_after_recovery"] == 302
        and set(report["reads_after_recovery"].values()) == {200}
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
