"""Logs, metrics and business events."""
