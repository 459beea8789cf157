"""Use cases: one function per user action, one transaction each."""

import workflow.tally.hook  # noqa: F401  (the summaries move in every flush: issue 21)
