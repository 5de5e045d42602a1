"""Workspace export and import (JSON Lines, gzip) and CSV import of one object: operator CLI."""
