"""Maintained summaries (issue 21): what each case and clock contributes (contrib), the flush hook that moves the
counts with the rows and with a changed calendar (hook, recount), the rebuild from the raw tables (rebuild) and the
readers (read)."""
