"""The audit log: who changed a campaign, and when its budget crossed a threshold."""
