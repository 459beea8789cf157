"""The packaged fixed-date statutory holidays (``workflow/calendar/data/fixed_holidays.yaml``): read through
importlib.resources so an installed wheel finds them; validated by ``states.calendar_fixed``. The start-up bootstrap
stores them with the calendar's state (``workflow.calendar.service.sync_fixed_holidays``)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import yaml

from states.calendar_fixed import FixedHolidays, parse_fixed_holidays

FIXED_HOLIDAYS_FILE = Path(str(resources.files("workflow.calendar") / "data" / "fixed_holidays.yaml"))


@functools.cache
def packaged_fixed_holidays(path: Path = FIXED_HOLIDAYS_FILE) -> FixedHolidays:
    """The fixed-date holidays as shipped (read once per process); FixedHolidaysError if the file is malformed."""
    return parse_fixed_holidays(yaml.safe_load(path.read_text(encoding="utf-8")))
