"""Protocol messages of the votes feature (filled by its issue)."""
