"""The deadline sweeps (reminders, escalation, lapses, digest, recompute, outbox) and their scheduler."""
