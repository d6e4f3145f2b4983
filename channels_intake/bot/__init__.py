"""The conversation engine shared by WhatsApp and Meta DMs (see ``engine``)."""
