"""Webhooks: the audit log delivered to the shop's endpoints, signed, at least once."""
