"""Opinions on the articles of a draft (审议意见): written by members, gathered for the drafters."""
