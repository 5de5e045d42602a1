"""OpenAPI 3.1 documents of the REST APIs, generated from a workspace's model (issue 11)."""
