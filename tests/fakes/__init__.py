"""Fake providers on 127.0.0.1: they speak the provider's wire format, record what they were
sent, and can be told to fail or to hang, so the real outbound clients are tested end to end."""
