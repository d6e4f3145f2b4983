from celery import shared_task

from staff.dispatch import dispatch_case as dispatch_case_service


@shared_task(name="staff.tasks.dispatch_case")
def dispatch_case(case_id: int) -> int | None:
    technician = dispatch_case_service(case_id)
    return technician.pk if technician else None
