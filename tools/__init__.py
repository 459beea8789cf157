"""Developer tools (not shipped in the wheel): diagram and template generators."""
