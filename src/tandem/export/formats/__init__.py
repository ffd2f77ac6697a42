"""Dataset formats: each turns a project's submissions into record batches of one schema."""
