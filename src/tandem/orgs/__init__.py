"""Organizations: requester orgs that own projects."""
