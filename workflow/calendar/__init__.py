"""The working-day calendar as data: seeding, holiday-notice imports and their preview."""
