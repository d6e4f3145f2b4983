"""The channel simulator: a staff page that plays the customer on every channel."""
