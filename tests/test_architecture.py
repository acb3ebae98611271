"""The walls between the rooms hold: every import of every module under src/copps is an edge
that docs/architecture.md allows.

The allowed edges are read from the document's table ("Which room may import which"), so the
map and this test cannot drift apart. An import is found however it is written: ``import`` and
``from ... import`` at the top of a module or inside a function, relative imports, a model looked
up by app label (``apps.get_model("problems", "Problem")``), a string foreign key
(``ForeignKey("problems.Problem")``) and a dotted module path in a string (``"copps.publish.x"``,
as ``import_string`` or a setting would take it). Migrations are generated from the models and
are left out.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "copps"
DOC = REPO / "docs" / "architecture.md"

# The project's shell: settings, URL roots, the console script, the WSGI entry. It wires the rooms
# together, so it may import every one of them. A few modules directly in copps/ are rooms of their
# own that the Django rooms may read: `config.py` (the settings registry), `files.py` (file hashes
# and the formula-escaping CSV writer), `charts.py` (the one SVG chart renderer), `language.py`
# (the visitor's language held in the URL of public pages) and `bulk.py` (fast appends of many rows).
CONFIG_MODULE = "config"
MODULE_ROOMS = {CONFIG_MODULE, "files", "charts", "language", "bulk"}
PROJECT = "project"
FIELD_CALLS = {"ForeignKey", "OneToOneField", "ManyToManyField", "get_model"}
DOTTED = re.compile(r"copps(\.[a-z_][a-z0-9_]*)+")
LABELLED = re.compile(r"([a-z_][a-z0-9_]*)\.([A-Z][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Edge:
    source: str  # the importing room
    target: str  # the imported room
    path: Path
    line: int
    what: str  # the import as written

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} -> {self.target} ({self.what})"


def rooms(src: Path) -> set[str]:
    """Every room: each package directly under copps/, plus config and the project shell."""
    found = {p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return found | MODULE_ROOMS | {PROJECT}


def app_labels(src: Path) -> dict[str, str]:
    """App label -> room, from every ``label = "..."`` in an ``apps.py`` (``engagement`` lives in
    community)."""
    labels = {}
    for path in src.rglob("apps.py"):
        room = path.relative_to(src).parts[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "label" for t in node.targets)
                and isinstance(node.value, ast.Constant)
            ):
                labels[node.value.value] = room
    return labels


def room_of_module(dotted: str, src: Path, known: set[str]) -> str | None:
    """The room a dotted module name (``copps.publish.store``) belongs to; None outside copps."""
    parts = dotted.split(".")
    if parts[0] != "copps":
        return None
    if len(parts) == 1:
        return PROJECT
    if parts[1] in known and parts[1] not in MODULE_ROOMS | {PROJECT}:
        return parts[1]
    if not (src / f"{parts[1]}.py").exists():
        return None  # not code: a signing salt or a cache key that happens to start with "copps."
    return parts[1] if parts[1] in MODULE_ROOMS else PROJECT


def room_of_file(path: Path, src: Path) -> str:
    rel = path.relative_to(src).parts
    if len(rel) > 1:
        return rel[0]
    module = rel[0].removesuffix(".py")
    return module if module in MODULE_ROOMS else PROJECT


def _module_name(path: Path, src: Path) -> list[str]:
    parts = ["copps", *path.relative_to(src).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _strings(args: list[ast.expr]) -> list[str]:
    return [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def imports_of(path: Path, src: Path, labels: dict[str, str]) -> list[tuple[int, str, str]]:
    """(line, imported module or label, as written) for every reference to copps code in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module = _module_name(path, src)
    package = module if path.name == "__init__.py" else module[:-1]
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, f"import {a.name}") for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
                written = "." * node.level + (node.module or "")
            else:
                name = written = node.module or ""
            for alias in node.names:
                # `from copps import simulate` and `from . import x` name modules in their aliases
                target = f"{name}.{alias.name}" if name == "copps" or not node.module else name
                found.append((node.lineno, target, f"from {written} import {alias.name}"))
        elif isinstance(node, ast.Call) and _call_name(node.func) in FIELD_CALLS:
            texts = _strings(node.args[:2]) + _strings([k.value for k in node.keywords if k.arg == "to"])
            if _call_name(node.func) == "get_model" and len(texts) >= 1 and "." not in texts[0]:
                texts = [f"{texts[0]}.{texts[1] if len(texts) > 1 else 'Model'}"]
            for text in texts[:1]:
                match = LABELLED.fullmatch(text)
                if match and match.group(1) in labels:
                    what = f"{_call_name(node.func)}({text!r})"
                    found.append((node.lineno, f"copps.{labels[match.group(1)]}", what))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.fullmatch(node.value):
            found.append((node.lineno, node.value, repr(node.value)))
    return found


def edges(src: Path) -> list[Edge]:
    """Every import between two different rooms, with where it is written."""
    known, labels = rooms(src), app_labels(src)
    out = []
    for path in sorted(src.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = room_of_file(path, src)
        for line, name, what in imports_of(path, src, labels):
            target = room_of_module(name, src, known)
            if target is not None and target != source:
                out.append(Edge(source, target, path.relative_to(src.parent), line, what))
    return out


def allowed_edges(markdown: str, known: set[str]) -> dict[str, set[str]]:
    """Room -> the rooms it may import, from the table whose header has "room" and "may import".

    Rooms are written in backticks; "everything" in the cell allows every room; "—" none."""
    lines = markdown.splitlines()
    header = next(
        (
            n
            for n, line in enumerate(lines)
            if line.lstrip().startswith("|")
            and {"room", "may import"} <= {c.strip().lower() for c in line.strip().strip("|").split("|")}
        ),
        None,
    )
    if header is None:
        raise AssertionError("docs/architecture.md has no table with columns 'room' and 'may import'")
    cells = [c.strip().lower() for c in lines[header].strip().strip("|").split("|")]
    room_col, import_col = cells.index("room"), cells.index("may import")
    allowed: dict[str, set[str]] = {}
    for line in lines[header + 2 :]:
        if not line.lstrip().startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        room = re.findall(r"`([^`]+)`", cells[room_col])
        if len(room) != 1:
            raise AssertionError(f"docs/architecture.md: a table row names no single room: {line}")
        room = room[0].strip("/").removeprefix("copps/").removesuffix("/")
        cell = cells[import_col]
        targets = set(known) - {room} if "everything" in cell else set(re.findall(r"`([^`]+)`", cell))
        allowed[room] = {t.strip("/").removeprefix("copps/").removesuffix("/") for t in targets}
    return allowed


def forbidden(found: list[Edge], allowed: dict[str, set[str]]) -> list[Edge]:
    return [e for e in found if e.target not in allowed.get(e.source, set())]


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def allowed():
    return allowed_edges(DOC.read_text(), rooms(SRC))


def test_every_import_between_rooms_is_allowed_by_docs_architecture(allowed):
    bad = forbidden(edges(SRC), allowed)
    assert not bad, "imports docs/architecture.md does not allow:\n" + "\n".join(map(str, bad))


def test_the_table_names_every_room_and_only_real_rooms(allowed):
    known = rooms(SRC)
    assert set(allowed) == known, f"missing from the table: {known - set(allowed)}; unknown: {set(allowed) - known}"
    for room, targets in allowed.items():
        assert targets <= known, f"{room} may import unknown rooms {targets - known}"


def test_the_allowed_graph_has_no_cycle(allowed):
    """Apart from the two that wire everything (operations, project), the rooms form layers."""
    graph = {r: t - {"operations", PROJECT} for r, t in allowed.items() if r not in ("operations", PROJECT)}
    done: set[str] = set()

    def visit(room: str, path: tuple[str, ...]) -> None:
        assert room not in path, "cycle: " + " -> ".join((*path, room))
        if room in done:
            return
        for target in graph.get(room, ()):
            visit(target, (*path, room))
        done.add(room)

    for room in graph:
        visit(room, ())


def test_no_room_imports_the_operations_room_or_the_project_shell(allowed):
    for room, targets in allowed.items():
        if room not in ("operations", PROJECT):
            assert not targets & {"operations", PROJECT}, f"{room} may not import {targets & {'operations', PROJECT}}"


def _fake_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "copps"
    for name, text in {
        "__init__.py": "",
        "config.py": "",
        "community/__init__.py": "",
        "community/apps.py": 'label = "community"\n',
        "community/engagement/__init__.py": "",
        "community/engagement/apps.py": 'label = "engagement"\n',
        "problems/__init__.py": "",
        "problems/apps.py": 'label = "problems"\n',
        "problems/models.py": "",
        **files,
    }.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    return src


TABLE = """
| room | owns | may import | why |
|---|---|---|---|
| `config` | settings | — | x |
| `community` | requests | `config` | x |
| `problems` | SARA | `community` | x |
| `project` | shell | everything | x |
"""


@pytest.mark.parametrize(
    "code, what",
    [
        ("from copps.problems.models import Problem\n", "from copps.problems.models import Problem"),
        ("import copps.problems.models\n", "import copps.problems.models"),
        ("def f():\n    from copps.problems import models\n", "from copps.problems import models"),
        ("from ...problems import models\n", "from ...problems import models"),
        ("from copps import problems\n", "from copps import problems"),
        ("from django.apps import apps\nM = apps.get_model('problems', 'Problem')\n", "get_model('problems.Problem')"),
        (
            "from django.db import models\nclass A(models.Model):\n"
            "    p = models.ForeignKey('problems.Problem', on_delete=models.CASCADE)\n",
            "ForeignKey('problems.Problem')",
        ),
        ("from django.utils.module_loading import import_string\nf = import_string('copps.problems.models.x')\n",
         "'copps.problems.models.x'"),
    ],
)
def test_the_checker_reports_a_forbidden_import_with_file_and_line(tmp_path, code, what):
    """The test of the test: a synthetic module in a room that may not import problems does."""
    src = _fake_tree(tmp_path, {"community/engagement/mailing.py": "# mail\n" + code})
    bad = forbidden(edges(src), allowed_edges(TABLE, rooms(src)))
    assert [(e.source, e.target) for e in bad] == [("community", "problems")]
    assert str(bad[0].path) == "copps/community/engagement/mailing.py"
    assert bad[0].line == 2 + next(i for i, text in enumerate(code.splitlines()) if "problems" in text)
    assert bad[0].what == what
    assert str(bad[0]).startswith("copps/community/engagement/mailing.py:")


def test_the_checker_lets_allowed_and_same_room_imports_pass(tmp_path):
    src = _fake_tree(
        tmp_path,
        {
            "problems/views.py": "from copps.community import x\nfrom . import models\nimport copps.config\n",
            "community/views.py": "from .engagement import mailing\nfrom copps.config import setting_int\n"
            "from django.apps import apps\nB = apps.get_model('engagement', 'Beat')\n",
            "urls.py": "from copps.problems import views\n",
        },
    )
    table = TABLE.replace("| `problems` | SARA | `community` |", "| `problems` | SARA | `community`, `config` |")
    assert forbidden(edges(src), allowed_edges(table, rooms(src))) == []


def test_a_label_lookup_maps_to_the_room_that_holds_the_app(tmp_path):
    code = "from django.apps import apps\nB = apps.get_model('engagement', 'Beat')\n"
    src = _fake_tree(tmp_path, {"problems/perm.py": code})
    assert [(e.source, e.target, e.line) for e in edges(src)] == [("problems", "community", 2)]
