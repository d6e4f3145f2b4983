"""Domain errors. Views, admin and API translate them to messages and HTTP codes in one place."""

from django.utils.translation import gettext_lazy as _

ILLEGAL_TRANSITION = _("Pengaduan %(ticket)s tidak dapat dipindah dari %(source)s ke %(target)s.")
ROLE_NOT_ALLOWED = _("Peran Anda tidak boleh melakukan perubahan ini pada %(ticket)s.")
MISSING_FIELD = _("Perubahan ini memerlukan isian: %(field)s.")
STALE_CASE = _(
    "Pengaduan %(ticket)s telah diubah orang lain sejak halaman ini dibuka "
    "(versi %(expected)s, sekarang %(current)s). Muat ulang lalu coba lagi."
)
NO_SERVICE_UNIT = _("Pengaduan tanpa pelanggan memerlukan unit layanan.")
TECHNICIAN_FULL = _("Teknisi %(technician)s sudah mencapai kapasitas tugasnya.")
TECHNICIAN_NOT_SUITABLE = _("Teknisi %(technician)s tidak melayani unit atau keahlian ini.")
MERGE_TARGET_INVALID = _("Pengaduan hanya dapat digabung ke pengaduan lain yang masih terbuka.")
EMPTY_TEXT = _("Isian ini tidak boleh kosong.")


class DomainError(Exception):
    """A request that the domain refuses; the message is meant for the person who asked."""

    code = "invalid"

    def __init__(self, message, **params) -> None:
        self.params = params
        self.message_template = message
        super().__init__(str(message) % params if params else str(message))

    @property
    def message(self) -> str:
        return str(self)


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, message, *, allowed: list | None = None, **params) -> None:
        # The moves the actor may make from the case's status (workflow.Transition), so a
        # client is told what it can do instead; None when the refusal is not about a move.
        self.allowed = allowed
        super().__init__(message, **params)


class NotAllowed(DomainError):
    code = "not_allowed"


class MissingField(DomainError):
    code = "missing_field"

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(MISSING_FIELD, field=field)


class StaleCase(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid"
