"""The GraphQL engine: every request, one pipeline (pipeline.py)."""
