"""Administrators' pages: users, agency settings, holiday calendar, audit trail."""
