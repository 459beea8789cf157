"""Staff pages for disclosure applications: registration, the online queue, lists and the case page."""
