"""Domain services of speech recording: plain functions over the media models."""
