"""The request kinds of this installation, and the one way to read the case engine's registry.

Each kind's descriptor registers itself where it is defined (``register(CaseKind(...))`` in its ``kind.py``);
this module names the installed ones. Everything that reads the registry — the sweeps, the lists, the caseload,
the calendar preview, the shared case page — reads it through ``installed()``, which makes sure every installed
kind is in it whatever was imported before (a module that only reads ``KINDS`` would see the kinds some other
import happened to register). A new kind is one more entry in ``INSTALLED`` (docs/architecture.md: adding a
request kind); a test's kind is registered beside them (tests/cases/petition_kind.py)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from workflow.cases import clocks
from workflow.cases.clocks import ClockKind
from workflow.cases.kind import KINDS, CaseKind, register
from workflow.disclosure.kind import DISCLOSURE
from workflow.hotline.kind import HOTLINE

INSTALLED: tuple[CaseKind, ...] = (DISCLOSURE, HOTLINE)
_ORDER = {k.name: i for i, k in enumerate(INSTALLED)}


_ORDERED: dict[str, tuple[tuple[tuple[str, CaseKind], ...], Mapping[str, CaseKind]]] = {}  # the last answer


def installed() -> Mapping[str, CaseKind]:
    """Every registered kind by name (read-only), the installed ones always among them: first the installed kinds
    in the order of ``INSTALLED`` (the lists' and the caseload's columns), then any other registered kind by name.
    A kind registered under an installed kind's name (a test's variant) is left as registered. Cheap enough for a
    sweep's inner loop: the ordered answer is kept until the registry changes."""
    for kind in INSTALLED:
        if kind.name not in KINDS:
            register(kind)
    now = tuple(KINDS.items())
    seen, ordered = _ORDERED.get("last", ((), MappingProxyType({})))
    if now != seen:
        ordered = MappingProxyType(dict(sorted(now, key=lambda kv: (_ORDER.get(kv[0], len(_ORDER)), kv[0]))))
        _ORDERED["last"] = (now, ordered)
    return ordered


def kind_named(name: str) -> CaseKind:
    """The registered kind called ``name`` (KeyError for none)."""
    return installed()[name]


def clock_kinds() -> Mapping[str, ClockKind]:
    """Every registered kind's clock kinds by name (``workflow.cases.clocks.CLOCK_KINDS``, read-only)."""
    installed()
    return MappingProxyType(clocks.CLOCK_KINDS)


def duty_kinds() -> tuple[str, ...]:
    """The clock kinds that are duties (breached, pressed, counted as overdue) of every registered kind."""
    installed()
    return clocks.duty_kinds()


def reminder_kinds() -> tuple[str, ...]:
    """The clock kinds reminded ahead of their due time, of every registered kind."""
    installed()
    return clocks.reminder_kinds()


def desk_kinds() -> tuple[str, ...]:
    """The clock kinds whose reminders go to the desk (front desk and leaders), of every registered kind."""
    installed()
    return clocks.desk_kinds()


__all__ = ["INSTALLED", "clock_kinds", "desk_kinds", "duty_kinds", "installed", "kind_named", "reminder_kinds"]
