"""GraphQL adapters; importing this package loads nothing of graphql-core (cold start)."""
