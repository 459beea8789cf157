"""The shared case engine: the action pipeline, clocks as rows, audit events, attachments, numbers, lists."""
