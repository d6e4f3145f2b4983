"""Rebuild the dashboard rollups now: every day of history (default) or only the recent days."""

from django.core.management.base import BaseCommand

from staff.dashboards.rollups import refresh_rollups


class Command(BaseCommand):
    help = "Rebuild the dashboard rollups from the case table (all history, or --recent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--recent", action="store_true", help="only the recent days, as beat does"
        )

    def handle(self, *args, recent: bool = False, **options) -> None:
        run = refresh_rollups(full=not recent)
        elapsed = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"{run.kind} rebuild: {run.rows} rows in {elapsed:.1f} s")
