"""Facebook Page and Instagram (one Meta app): comments open a case with a public reply that
invites the customer to DM; DMs run the WhatsApp bot."""

from channels_intake import registry


def _process(row):  # imported late: the processor pulls in the domain models
    from channels_intake.social.processing import process

    return process(row)


registry.register("meta", _process)
