"""``manage.py load_demo``: the demo data set for ``make run``; a second run does nothing."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from complaints.demo import DEFAULT_CASES, DEFAULT_CUSTOMERS, DEFAULT_SEED, load_demo


class Command(BaseCommand):
    help = "Load the demo data (service units, customers, technicians, demo logins, cases)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
        parser.add_argument("--cases", type=int, default=DEFAULT_CASES)

    def handle(self, *args, seed: int, customers: int, cases: int, **options) -> None:
        result = load_demo(seed=seed, customers=customers, cases=cases)
        if not result.loaded:
            self.stdout.write(result.message)
            return
        counts = ", ".join(f"{name}={count}" for name, count in result.counts.items())
        states = ", ".join(f"{state}={count}" for state, count in sorted(result.states.items()))
        self.stdout.write(
            self.style.SUCCESS(
                _("%(message)s %(counts)s (%(seconds).1f detik)")
                % {"message": result.message, "counts": counts, "seconds": result.seconds}
            )
        )
        self.stdout.write(_("Status pengaduan: %(states)s") % {"states": states})
        if result.unassigned:
            self.stdout.write(
                _("%(count)d pengaduan lapangan menunggu teknisi (semua regu penuh).")
                % {"count": result.unassigned}
            )
