"""Experts: profiles in the platform network."""
