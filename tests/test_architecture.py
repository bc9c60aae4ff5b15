"""The house keeps its floors: every import between Byline's apps runs down (docs/architecture.md).

Read from the source, every import counted (module level or inside a function alike, since a
lazy import is still a dependency); tests and migrations aside. A new app must be given a
floor here before anything may import it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parent.parent / "byline"

# Lowest first. An app imports only from floors below its own: not from its own floor (apps
# side by side know nothing of each other) and never from above.
FLOORS: list[set[str]] = [
    {"core"},  # helpers every app may use; signals anyone may send
    {"images", "ops"},  # image presets and renditions; operations (logs, backup, serving)
    {"blogs"},  # blogs, posts, authors, the archive: what "published and public" means
    {"publication"},  # the home page and standard pages
    # features over the pages
    {"comments", "featured", "mailguard", "feeds", "search", "corrections"},
    {"newsletters"},  # mails what the features make of a post, e-mail protection included
    {"pagecache", "importers", "demo"},  # know every feature; nothing imports them
    {"settings", "urls", "wsgi", "cli"},  # the project that puts the apps together
]
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}


def _app_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("byline.")} - {"__init__"}


def import_edges() -> list[tuple[str, str, str]]:
    """(importing app, imported app, file) for every import from one app into another."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts == ("__init__.py",):
            continue
        app = _app_of(path)
        for target in _imported_apps(path) - {app}:
            edges.append((app, target, str(path.relative_to(PACKAGE.parent))))
    return edges


def test_every_app_has_a_floor():
    apps = {_app_of(path) for path in PACKAGE.iterdir() if path.suffix == ".py" or path.is_dir()}
    apps -= {"__init__", "__pycache__", "static", "templates"}
    assert apps - set(FLOOR) == set(), "give the new app a floor in FLOORS"


def test_imports_run_down_the_floors():
    """No import from an app to one on its own floor or above: hence no circle either."""
    wrong = [
        f"{source} ({FLOOR.get(source)}) imports {target} ({FLOOR.get(target)}) in {file}"
        for source, target, file in import_edges()
        if FLOOR.get(target, 99) >= FLOOR.get(source, -1)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "source, target",
    [("blogs", "comments"), ("core", "blogs"), ("blogs", "pagecache"), ("comments", "pagecache")],
)
def test_the_floor_check_sees_arrows_that_run_up(source, target):
    """The check above would catch the arrows this redesign removed (issue #18)."""
    assert FLOOR[target] >= FLOOR[source]


def template_edges() -> list[tuple[str, str, str]]:
    """(app, app it needs, template) for each app template that includes or extends another
    app's template or loads another app's tag library. The site-wide templates in
    byline/templates/ are the project's (the top floor): they put the apps' pieces together,
    so a page that shows a post with its comments and the Featured list lives there."""
    libraries = {path.stem: path.parts[-3] for path in PACKAGE.glob("*/templatetags/*.py")}
    edges = []
    for template in sorted(PACKAGE.glob("*/templates/**/*.html")):
        app = template.relative_to(PACKAGE).parts[0]
        text = template.read_text()
        needed = {
            match.group(1)
            for match in re.finditer(r'{%\s*(?:include|extends)\s+"([^"/]+)/', text)
            if match.group(1) in FLOOR
        }
        for match in re.finditer(r"{%\s*load\s+([^%]+)%}", text):
            needed |= {libraries[name] for name in match.group(1).split() if name in libraries}
        edges += [(app, other, str(template)) for other in needed - {app}]
    return edges


def test_templates_run_down_the_floors_too():
    wrong = [
        f"{template} ({source}) needs {target}"
        for source, target, template in template_edges()
        if FLOOR.get(target, 99) >= FLOOR.get(source, -1)
    ]
    assert wrong == []


def test_byline_never_imports_the_tests():
    importers = [
        str(path)
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts
        and ("from tests" in path.read_text() or "import tests" in path.read_text())
    ]
    assert importers == []


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
