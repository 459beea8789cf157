"""Public pages (no login): the agency's portal, online application, look-up and the applicant's actions."""
