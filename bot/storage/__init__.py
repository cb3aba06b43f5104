"""Implementations of the core's storage port."""
