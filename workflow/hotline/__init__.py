"""12345 hotline work orders: intake, import, planning, actions, handlers, payloads, queries, export."""
