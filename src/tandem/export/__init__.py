"""Export: datasets out of a project."""
