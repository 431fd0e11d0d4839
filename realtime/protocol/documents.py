"""Protocol messages of the documents feature (filled by its issue)."""
