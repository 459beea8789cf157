"""Staff accounts, principals, browser sessions and account administration."""
