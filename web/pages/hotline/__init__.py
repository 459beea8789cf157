"""Staff pages for 12345 work orders: intake and import, lists and the order page."""
