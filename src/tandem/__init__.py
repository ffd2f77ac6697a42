"""Tandem: expert human-data work for AI training, fair to the people who do it."""
