"""Replybase: the FastAPI service that wires ingest, indexes, gateways and drafters together."""
