"""Customers: the people campaigns are offered to."""
