"""Protocol messages of the floor feature (filled by its issue)."""
