"""Dates as Kluis shows them in French: one format everywhere, used by the template
filters kluis_date and kluis_datetime (kluis/web/templatetags/kluis_ui.py)."""

DATE_FORMAT = "j F Y"  # 25 septembre 2025
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
