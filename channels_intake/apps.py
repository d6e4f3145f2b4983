import pkgutil
from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Sub-packages that are not channels.
NOT_CHANNELS = frozenset({"migrations", "management", "bot", "simulator", "locale"})


class ChannelsIntakeConfig(AppConfig):
    name = "channels_intake"
    verbose_name = _("Kanal masuk")

    def ready(self) -> None:
        # Each channel package registers its processor when imported (registry.py); a worker
        # must know every channel before it takes the first message.
        for module in pkgutil.iter_modules([self.path]):
            if module.ispkg and module.name not in NOT_CHANNELS:
                import_module(f"{self.name}.{module.name}")
