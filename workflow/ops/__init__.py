"""Operating the instance: backup and restore, health checks, structured logs."""
