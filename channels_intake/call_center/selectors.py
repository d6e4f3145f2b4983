"""Who is calling: customers known by the caller's number, with their open cases. The agent
console's phone page and the CTI endpoint both use ``customers_for_caller``."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from channels_intake.models import AppAccount
from complaints.identifiers import normalize_phone
from complaints.models import Case, ContactKind, Customer, CustomerContact
from complaints.workflow import OPEN_STATES
from staff.access import unit_ids_for

MAX_CUSTOMERS = 10
MAX_OPEN_CASES = 20


@dataclass(frozen=True)
class CallerMatch:
    customer: Customer
    open_cases: tuple[Case, ...]


def caller_e164(raw: str) -> str | None:
    """The caller number in E.164, or None for a withheld/unknown/internal caller id."""
    try:
        return normalize_phone(raw or "")
    except ValidationError:
        return None


def customers_for_caller(phone: str, *, user=None, limit: int = MAX_CUSTOMERS) -> list[CallerMatch]:
    """Customers whose phone or WhatsApp contact, or whose app account, is ``phone``, each
    with its open cases (newest first). ``user`` limits them to the user's service units
    (None: all, for the telephony system). Three queries at most: contacts → customers, then
    the open cases of all of them at once (case_customer_status index)."""
    e164 = caller_e164(phone)
    if e164 is None:
        return []
    by_contact = CustomerContact.objects.filter(
        kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP], value=e164
    ).values("customer_id")
    by_app = AppAccount.objects.filter(phone=e164, customer__isnull=False).values("customer_id")
    customers = Customer.objects.filter(Q(pk__in=by_contact) | Q(pk__in=by_app)).select_related(
        "service_unit"
    )
    unit_ids = unit_ids_for(user) if user is not None else None
    if unit_ids is not None:
        customers = customers.filter(service_unit_id__in=unit_ids)
    found = list(customers.order_by("id_pelanggan")[:limit])
    if not found:
        return []
    open_cases: dict[int, list[Case]] = {customer.pk: [] for customer in found}
    cases = (
        Case.objects.filter(customer_id__in=open_cases, status__in=OPEN_STATES)
        .select_related("category")
        .order_by("-created_at")[: MAX_OPEN_CASES * len(found)]
    )
    for case in cases:
        if len(open_cases[case.customer_id]) < MAX_OPEN_CASES:
            open_cases[case.customer_id].append(case)
    return [CallerMatch(customer=c, open_cases=tuple(open_cases[c.pk])) for c in found]
