"""Serverless, Twenty-compatible CRM API platform."""
