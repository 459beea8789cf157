"""Statutory annual report, leaders' statistics and dashboards, the supervisor's overview."""
