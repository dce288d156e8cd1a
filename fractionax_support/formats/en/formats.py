"""English date formats with the 24-hour clock (Django's own English ones say "3:05 p.m."),
for every page: the dashboard, the admin, and any date shown without an explicit format."""

DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
