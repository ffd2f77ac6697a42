"""Auth: users, passwords, sessions, API tokens, roles and object-level access."""
