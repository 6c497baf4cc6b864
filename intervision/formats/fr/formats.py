"""French date formats where Django's differ from how French is written: a date and time
read « 7 décembre 2026 à 7 h 00 » (e-mails, exports), not « 7 décembre 2026 07:00 ».

Any format not set here is Django's own (``django/conf/locale/fr/formats.py``)."""

DATETIME_FORMAT = "j F Y à G\u00a0\\h\u00a0i"
