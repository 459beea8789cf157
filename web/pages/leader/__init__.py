"""Leaders' and supervisors' pages: dashboard, statistics, reports, the cross-agency overview."""
