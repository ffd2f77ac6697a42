"""Dispatch: who gets which item, under a lease, never twice."""
