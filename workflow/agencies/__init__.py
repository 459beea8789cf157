"""Agencies: per-agency configuration, its cache, administration and the first-start bootstrap."""
