"""The core GraphQL schema, generated in code from a workspace's data model."""
