"""The agent console: custom admin pages over the complaints services."""
