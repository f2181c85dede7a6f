"""Coordinated operations: plans, field results, takedowns and after-action reports."""
