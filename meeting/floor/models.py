"""Floor models: filled by the speaking-queue issue."""
