"""Imports every domain's tasks module so their job handlers and periodic tasks are registered."""
