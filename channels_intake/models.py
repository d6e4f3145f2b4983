"""Raw inbox of everything the channels deliver (channel intake comes with issue 4)."""
