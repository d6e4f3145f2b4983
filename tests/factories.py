"""Plain factory functions for tests: each makes one valid object with overridable fields."""

import itertools

from django.contrib.auth.models import Group, User

from complaints.models import Category, Channel, ContactKind, Customer, CustomerContact
from complaints.services import Reporter, case_open
from staff.models import ServiceUnit, StaffMember, Technician, UnitKind, UnitTimezone
from staff.roles import Actor, Role

_seq = itertools.count(1)


def unique() -> int:
    return next(_seq)


def make_unit_tree(prefix: str = "", timezone: str = UnitTimezone.WIB) -> ServiceUnit:
    """A region → area → office chain; returns the office (ULP)."""
    n = unique()
    region = ServiceUnit.objects.create(
        code=f"{prefix}R{n}", name=f"Region {n}", kind=UnitKind.REGION, timezone=timezone
    )
    area = ServiceUnit.objects.create(
        code=f"{prefix}A{n}", name=f"UP3 {n}", kind=UnitKind.AREA, parent=region, timezone=timezone
    )
    return ServiceUnit.objects.create(
        code=f"{prefix}O{n}",
        name=f"ULP {n}",
        kind=UnitKind.OFFICE,
        parent=area,
        timezone=timezone,
    )


def make_user(role: Role | None = None, *, units=(), username: str | None = None, **fields) -> User:
    username = username or f"user{unique()}"
    user = User.objects.create_user(username=username, password="pw-test-aduan", **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
        if role in (Role.AGENT, Role.SUPERVISOR, Role.MANAGER):
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    if units:
        member = StaffMember.objects.create(user=user)
        member.service_units.set(units)
    return user


def make_customer(unit: ServiceUnit, **fields) -> Customer:
    n = unique()
    defaults = {
        "id_pelanggan": f"{530000000000 + n:012d}",
        "meter_number": f"{14000000000 + n:011d}",
        "name": f"Pelanggan {n}",
        "address": f"Jl. Merdeka No. {n}",
        "service_unit": unit,
    }
    defaults.update(fields)
    return Customer.objects.create(**defaults)


def add_contact(customer: Customer, kind: str, value: str) -> CustomerContact:
    return CustomerContact.objects.create(customer=customer, kind=kind, value=value)


def make_technician(
    unit: ServiceUnit,
    *,
    skills=("distribution", "meter"),
    capacity: int = 3,
    on_shift: bool = True,
    **fields,
) -> Technician:
    user = make_user(Role.TECHNICIAN)
    return Technician.objects.create(
        user=user,
        service_unit=unit,
        skills=list(skills),
        capacity=capacity,
        on_shift=on_shift,
        **fields,
    )


def category(code: str = "padam-rumah") -> Category:
    return Category.objects.get(code=code)


def open_case(
    unit: ServiceUnit | None = None,
    *,
    customer: Customer | None = None,
    category_code: str = "padam-rumah",
    channel: str = Channel.WHATSAPP,
    actor: Actor | None = None,
    reporter: Reporter | None = None,
    **fields,
):
    if customer is None and unit is None:
        unit = make_unit_tree()
    return case_open(
        actor=actor or Actor.system("test"),
        channel=channel,
        category=category(category_code),
        description=fields.pop("description", "Listrik mati sejak pagi"),
        customer=customer,
        service_unit=unit if customer is None else None,
        reporter=reporter
        or Reporter(name="Budi", contact_kind=ContactKind.WHATSAPP, contact="+6281234567890"),
        **fields,
    )
