"""The `tandem` command line: thin wrappers over the services."""
