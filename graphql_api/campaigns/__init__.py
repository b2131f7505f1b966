"""Campaigns: discounts with budgets, schedules, limits and targeting."""
