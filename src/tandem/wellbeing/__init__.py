"""Well-being guardrails: hour caps, breaks, night work, quiet weeks, rotation."""
