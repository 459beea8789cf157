"""The request kinds of this installation. Importing this module registers them with the case engine's registry
(``workflow.cases.kind.KINDS``), from which the sweeps, lists, dashboards and the shared case page take each kind's
table, clocks, labels and ladders. A new kind is one more line here (docs/architecture.md: adding a request kind)."""

from __future__ import annotations

from workflow.cases.kind import CaseKind
from workflow.disclosure.kind import DISCLOSURE
from workflow.hotline.kind import HOTLINE

INSTALLED: tuple[CaseKind, ...] = (DISCLOSURE, HOTLINE)

__all__ = ["INSTALLED"]
