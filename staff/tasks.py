from celery import shared_task

from staff.dashboards.rollups import refresh_rollups
from staff.dispatch import dispatch_case as dispatch_case_service


@shared_task(name="staff.tasks.dispatch_case")
def dispatch_case(case_id: int) -> int | None:
    technician = dispatch_case_service(case_id)
    return technician.pk if technician else None


@shared_task(name="staff.tasks.refresh_dashboard_rollups")
def refresh_dashboard_rollups() -> str:
    """Every 5 minutes from beat: the recent days, or the daily full rebuild when it is due.
    Safe to run twice or beside the management command (one advisory lock, idempotent)."""
    run = refresh_rollups()
    return f"{run.kind}:{run.rows}"
