"""Qt item models over core services: rows loaded by position in pages, never all at once."""
