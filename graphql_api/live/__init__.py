"""Live changes: what committed, as PostgreSQL's NOTIFY delivers it to every server process."""
