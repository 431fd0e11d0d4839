"""Domain services of the documents feature: plain functions over the models."""
