"""Items: importing the units of work of a project."""
