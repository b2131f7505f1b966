"""Discounts: offers for a cart, and the usages recorded when one is applied."""
