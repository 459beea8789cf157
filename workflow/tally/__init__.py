"""Maintained summaries (issue 21): what each case and clock contributes (contrib), the flush hook that moves the
counts with the rows (hook), the working days counted again when the calendar changes (recount), the rebuild from
the raw tables (rebuild) and the readers (read). Importing any of them registers the hook and the calendar listener."""

from workflow.tally import recount as _recount  # noqa: F401  (registers the hook and the calendar listener)
