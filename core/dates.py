"""The date range a record of this system can carry, for every app's checks of dates typed by hand."""

import datetime as dt

# A date before this is a slip (1900-01-01 from a spreadsheet, year 1 from a client), not a record:
# the offices' ledgers start well after it, and yearly numbers like 隐患编号 assume four-digit years.
EARLIEST = dt.date(2000, 1, 1)
