"""Access: API keys, the roles they carry, and what each role may do."""
