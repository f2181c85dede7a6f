"""Liaison: shared intelligence, matching and coordinated operations for law-enforcement cooperation."""

__version__ = "0.1.0"
