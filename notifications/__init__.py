"""Notices: the catalog of legal notices, their templates, rendering (HTML/PDF/DOCX/text) and delivery.

Public API (import from the submodules; this package imports nothing heavy):

- ``catalog``: ``CATALOG``, ``NoticeSpec``, ``get_spec(code)``, ``check_catalog()``
- ``render``: ``render(type, context, fmt) -> RenderedDocument``, ``render_many``, ``render_subject``
- ``context``: ``agency_context(agency, defaults)``, ``disclosure_case_context(d)``, ``case_ref(...)``
- ``remedy``: ``remedy_clause(reason, agency_ctx)``, ``remedy_deadlines(delivered, add_calendar_period)``
- ``outbox``: ``enqueue(session, ...)``, ``deliver_due(engine, now, instance=...)``, ``retry_dead(engine, id, now)``
- ``mailer``: ``build_message(row, rendered, settings, now=...)``, ``SmtpBackend``, ``EmlFileBackend``
- ``files``: ``store_file(session, data, ...)``, ``read_file(row)``
- ``fixtures``: ``fixture_context(code)``, ``reply_context(category, reason)``

See docs/notices.md.
"""
