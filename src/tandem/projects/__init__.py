"""Projects: forms, guidelines, pay terms, quality policy, status."""
