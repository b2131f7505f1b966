"""Discount campaign service with a GraphQL API."""

__version__ = "0.2.0"
