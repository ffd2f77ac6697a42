"""Small shared building blocks: errors, clock, money, pagination."""
