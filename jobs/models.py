"""Job models: filled by the documents issue (generic DB-backed job queue)."""
