"""The stated arrows, enforced (issue 17): read the import statements of the runtime packages with ``ast`` and
check them. Each check is a function over {module: source} so a test can plant a violation and see it caught.

* ``states`` is pure: the standard library, ``transitions`` and a YAML parser only (no DB, no web, no I/O libs).
* ``notifications`` never writes audit events (the workflow records who did what, e.g. retrying a dead letter).
* ``web`` reaches the database only through ``workflow``: no ``db`` module (models, engine, sessions), ``sqlmodel``
  or ``sqlalchemy`` in a view; workflow functions take the engine handle (``workflow.runtime.Engine``, which the
  app receives from its caller — ``cli.serve`` or a test —: no web module creates it, so none is exempt) and open
  the sessions themselves.
* No import cycles between modules (module-level imports; TYPE_CHECKING blocks aside).
* Roles are rows (``user_role``) read and written by workflow.accounts.roles only; what people type is parsed by
  workflow.accounts.users.checked_roles only (``states.roles.parse_roles``).
* The stored vocabularies are enums in ``states`` (states.vocab: clock, outbox, approval and import-job statuses):
  outside ``states`` and ``db``, no bare string of theirs is compared with, passed as or assigned to a ``status`` or
  ``state``.
* The registry of request kinds is read through ``workflow.kinds`` (``installed()``, ``clock_kinds()``,
  ``duty_kinds()`` …), which makes sure every installed kind is in it: only the engine's package, a kind's own
  package and ``workflow.kinds`` import ``KINDS``, ``CLOCK_KINDS`` or the clock-kind lists directly, and nobody
  imports ``workflow.kinds`` only for its side effect.
* No new imports inside functions: the per-module counts in LEGACY_LOCAL_IMPORTS may only shrink; a module not
  listed has none.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from states.vocab import ApprovalStatus, ClockStatus, JobState, OutboxStatus

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("states", "workflow", "web", "notifications", "db", "cli")
STATES_MAY_IMPORT = {"states", "transitions", "yaml", "__future__"}
DB_MODULES = ("db", "sqlmodel", "sqlalchemy")  # db: its models and its engine's sessions alike
DB_ERRORS = ("sqlalchemy.exc",)  # mapping a database error to an answer is the edge's job, not reading data

# Imports inside functions that remain, per module, with the reason they are there.
LEGACY_LOCAL_IMPORTS: dict[str, int] = {
    "cli.report": 15,  # each sub-command loads only what it needs (start-up time of the CLI)
    "workflow.reports.render": 8,  # WeasyPrint/openpyxl/docx loaded only when a report is rendered
    "cli.worker": 4, "cli.backup": 4, "cli.serve": 3, "cli.common": 2, "cli.settings_doc": 2, "cli.database": 1,
    "cli.health": 1,  # the CLI's sub-commands, as above
    "workflow.reports.stats_xlsx": 3, "workflow.reports.stats": 2,  # openpyxl only for spreadsheets
    "notifications.render": 3, "notifications.pdf": 2, "notifications.lint_layout": 2, "notifications.fonts": 1,
    "notifications.catalog": 2, "notifications.check": 1,  # WeasyPrint/docx/poppler only when rendering
    "notifications.outbox": 2,  # aiosmtplib only when sending
    "web.errors": 3, "web.app": 2, "web.concurrency": 1,  # the app is built before the routers' modules load
    "web.pages.timeline": 2, "web.pages.hotline.view": 1,  # the notice catalog (templates) on first use
    "db.engine": 1, "db.migrations.env": 1,  # Alembic only for migrations
    "workflow.calendar.service": 1,  # the agency cache invalidated after an import
}


@functools.cache
def _tree(text: str) -> ast.Module:
    return ast.parse(text)


def sources() -> dict[str, str]:
    out: dict[str, str] = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = f.read_text(encoding="utf-8")
    return out


def _top_level_imports(tree: ast.Module) -> Iterable[ast.Import | ast.ImportFrom]:
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _all_imports(tree: ast.Module) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
    """(import, inside a function?) — TYPE_CHECKING blocks skipped."""
    def walk(node: ast.AST, in_fn: bool) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_fn
            yield from walk(child, in_fn or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))
    yield from walk(tree, False)


def _names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        return [base] + [f"{base}.{a.name}" for a in node.names]
    return [a.name for a in node.names]


def impure_states(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        if not name.startswith("states"):
            continue
        for node, _ in _all_imports(_tree(text)):
            top = _names(node)[0].split(".")[0]
            if top not in STATES_MAY_IMPORT and top not in sys.stdlib_module_names:
                bad.append(f"{name} imports {_names(node)[0]}")
    return bad


def notifications_writing_audit(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        if not name.startswith("notifications"):
            continue
        for node, _ in _all_imports(_tree(text)):
            names = _names(node)
            if any(n.startswith("workflow.cases.audit") or n == "db.models.Event" for n in names):
                bad.append(f"{name} imports {names[0]}")
    return bad


def _database_imports(text: str) -> list[ast.Import | ast.ImportFrom]:
    return [node for node, _ in _all_imports(_tree(text)) if _names(node)[0] not in DB_ERRORS and any(
        _names(node)[0] == m or _names(node)[0].startswith(m + ".") for m in DB_MODULES)]


def web_reading_the_database(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        if name != "web" and not name.startswith("web."):
            continue
        bad += [f"{name} imports {_names(node)[0]}" for node in _database_imports(text)]
    return bad


ROLE_ROWS = {"db.models.UserRole": "workflow.accounts.roles", "states.roles.parse_roles": "workflow.accounts.users"}


def roles_read_elsewhere(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        for node, _ in _all_imports(_tree(text)):
            for n in _names(node):
                if n in ROLE_ROWS and name != ROLE_ROWS[n]:
                    bad.append(f"{name} imports {n}")
    return bad


VOCABULARY = frozenset(str(v) for e in (ClockStatus, OutboxStatus, ApprovalStatus, JobState) for v in e)
STATUS_NAMES = frozenset({"status", "state"})


def _strings(node: ast.AST) -> list[str]:
    """The string constants of a constant or of a tuple/list/set made only of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = [s for e in node.elts for s in _strings(e)]
        return out if len(out) == len(node.elts) else []
    return []


def _is_status(node: ast.AST) -> bool:
    """``x.status``, ``x["status"]`` or a name ``status`` (or ``state``)."""
    if isinstance(node, ast.Attribute):
        return node.attr in STATUS_NAMES
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value in STATUS_NAMES
    return isinstance(node, ast.Name) and node.id in STATUS_NAMES


def bare_vocabulary(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        if name.split(".")[0] in ("states", "db"):
            continue
        for n in ast.walk(_tree(text)):
            found: list[str] = []
            if isinstance(n, ast.Compare) and any(_is_status(x) for x in (n.left, *n.comparators)):
                found = [v for x in (n.left, *n.comparators) for v in _strings(x)]
            elif ((isinstance(n, ast.keyword) and n.arg in STATUS_NAMES)
                  or (isinstance(n, ast.Assign) and any(_is_status(t) for t in n.targets))):
                found = _strings(n.value)
            elif isinstance(n, ast.Assign) and isinstance(n.value, ast.Tuple):  # a.status, a.at = "met", now
                found = [v for t in n.targets if isinstance(t, ast.Tuple) and len(t.elts) == len(n.value.elts)
                         for x, y in zip(t.elts, n.value.elts, strict=True) if _is_status(x) for v in _strings(y)]
            elif isinstance(n, ast.Dict):
                found = [v for k, x in zip(n.keys, n.values, strict=True)
                         if isinstance(k, ast.Constant) and k.value in STATUS_NAMES for v in _strings(x)]
            bad += [f"{name}:{getattr(n, 'lineno', 0)} {v!r}" for v in found if v in VOCABULARY]
    return bad


def local_imports(src: Mapping[str, str]) -> list[str]:
    bad = []
    for name, text in src.items():
        n = sum(1 for _, in_fn in _all_imports(_tree(text)) if in_fn)
        if n > LEGACY_LOCAL_IMPORTS.get(name, 0):
            bad.append(f"{name}: {n} imports inside functions (allowed {LEGACY_LOCAL_IMPORTS.get(name, 0)})")
    return bad


REGISTRY = {"workflow.cases.kind.KINDS", "workflow.cases.clocks.CLOCK_KINDS", "workflow.cases.clocks.duty_kinds",
            "workflow.cases.clocks.reminder_kinds", "workflow.cases.clocks.desk_kinds"}
REGISTRY_OWNERS = ("workflow.cases.", "workflow.disclosure.", "workflow.hotline.", "workflow.kinds")


def registry_read_elsewhere(src: Mapping[str, str]) -> list[str]:
    """Modules reading the kinds' registry around ``workflow.kinds`` (they would see only the kinds some other import
    happened to register), or importing ``workflow.kinds`` for its side effect."""
    bad = []
    for name, text in src.items():
        for node, _ in _all_imports(_tree(text)):
            if isinstance(node, ast.Import) and any(a.name == "workflow.kinds" for a in node.names):
                bad.append(f"{name} imports workflow.kinds for its side effect")
                continue
            if name.startswith(REGISTRY_OWNERS) or name == "workflow.kinds":
                continue
            bad.extend(f"{name} imports {n}" for n in _names(node) if n in REGISTRY)
    return bad


def cycles(src: Mapping[str, str]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, text in src.items():
        for node in _top_level_imports(_tree(text)):
            graph[name].update(n for n in _names(node) if n in src and n != name)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in list(src):
            if v not in index:
                strong(v)
    finally:  # the worker's other tests run with the interpreter's own limit (the JSON parser's depth is bound by it)
        sys.setrecursionlimit(limit)
    return found


def test_the_tree_keeps_the_arrows() -> None:
    src = sources()
    assert impure_states(src) == []
    assert notifications_writing_audit(src) == []
    assert web_reading_the_database(src) == []
    assert local_imports(src) == []
    assert roles_read_elsewhere(src) == []
    assert bare_vocabulary(src) == []
    assert registry_read_elsewhere(src) == []
    assert cycles(src) == []


def test_the_legacy_lists_only_shrink() -> None:
    """A module that no longer needs its exemption must leave the list (so the debt is visible)."""
    src = sources()
    for name, allowed in LEGACY_LOCAL_IMPORTS.items():
        n = sum(1 for _, in_fn in _all_imports(_tree(src.get(name, ""))) if in_fn)
        assert n == allowed, f"{name}: {n} local imports, the list says {allowed}: update the list"


def test_a_planted_model_import_in_a_view_is_caught() -> None:
    src = sources()
    src["web.pages.disclosure.planted"] = "from db.models import Disclosure\n"
    assert web_reading_the_database(src) == ["web.pages.disclosure.planted imports db.models"]
    src["web.api.cases"] += "\nfrom sqlmodel import select\n"
    assert "web.api.cases imports sqlmodel" in web_reading_the_database(src)


def test_a_planted_session_in_a_view_is_caught() -> None:
    """A view opening a session itself (and a model import inside a function) fails like a model import."""
    src = sources()
    src["web.pages.planted"] = "from db.engine import read_session\n"
    src["web.api.planted"] = "import db.engine\n\ndef f():\n    from db.models import User\n    return User\n"
    src["web.planted"] = "from db import engine\n"
    src["web.pages.hotline.orders"] += "\nfrom db.engine import read_session\n"  # no view is exempt
    assert sorted(web_reading_the_database(src)) == [
        "web.api.planted imports db.engine", "web.api.planted imports db.models",
        "web.pages.hotline.orders imports db.engine", "web.pages.planted imports db.engine", "web.planted imports db"]


def test_a_planted_cycle_is_caught() -> None:
    src = sources()
    src["states.policy"] += "\nfrom states.machine import StateMachine\n"  # machine already imports policy
    assert ["states.machine", "states.policy"] in cycles(src)


def test_planted_impurity_audit_write_and_local_import_are_caught() -> None:
    src = sources()
    src["states.planted"] = "import sqlalchemy\n"
    src["notifications.planted"] = "from workflow.cases.audit import append_event\n"
    src["workflow.planted"] = "def f():\n    import json\n    return json\n"
    assert impure_states(src) == ["states.planted imports sqlalchemy"]
    assert notifications_writing_audit(src) == ["notifications.planted imports workflow.cases.audit"]
    assert local_imports(src) == ["workflow.planted: 1 imports inside functions (allowed 0)"]


def test_roles_read_or_parsed_elsewhere_are_caught() -> None:
    src = sources()
    src["workflow.cases.planted"] = "from db.models import User, UserRole\n"
    src["cli.planted"] = "from states.roles import Role, parse_roles\n"
    assert roles_read_elsewhere(src) == ["workflow.cases.planted imports db.models.UserRole",
                                         "cli.planted imports states.roles.parse_roles"]


def test_bare_status_strings_are_caught() -> None:
    src = sources()
    src["workflow.cases.planted"] = (
        "def f(c, job, s):\n"
        "    c.status, c.met_at = 'met', None\n"
        "    if job['state'] in ('done', 'failed'):\n"
        "        s.add(Outbox(status='pending', kind='running'))\n"
        "    return {'status': 'met', 'label': 'running'}\n")
    assert sorted(bare_vocabulary(src)) == ["workflow.cases.planted:2 'met'", "workflow.cases.planted:3 'done'",
                                            "workflow.cases.planted:3 'failed'", "workflow.cases.planted:4 'pending'",
                                            "workflow.cases.planted:5 'met'"]


def test_the_registry_read_around_workflow_kinds_is_caught() -> None:
    src = sources()
    src["workflow.reports.planted"] = "import workflow.kinds  # noqa: F401\nfrom workflow.cases.clocks import duty_kinds\n"
    src["web.pages.planted"] = "from workflow.cases.kind import KINDS, CaseKind\n"
    assert registry_read_elsewhere(src) == ["workflow.reports.planted imports workflow.kinds for its side effect",
                                            "workflow.reports.planted imports workflow.cases.clocks.duty_kinds",
                                            "web.pages.planted imports workflow.cases.kind.KINDS"]
