"""Protocol messages of the media feature (filled by its issue)."""
