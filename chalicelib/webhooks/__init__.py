"""Webhooks: management (targets, operations, SSRF guard), events from the main table's stream,
signed deliveries with retries and a delivery log."""
