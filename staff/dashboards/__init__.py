"""Supervisor board and manager dashboard (issue 7): daily rollups maintained by Celery beat,
live queries for what is open now, server-rendered SVG charts, CSV export of every table."""
