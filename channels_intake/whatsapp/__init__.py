"""WhatsApp Cloud API: webhook (verify, store), parsing, the bot, media download."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.whatsapp.processing import process

    return process(row)


registry.register("whatsapp", _process)
