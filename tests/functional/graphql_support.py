"""A GraphQL client over the Chalice test client, bound to one tenant."""

from __future__ import annotations

import json


class GraphQLClient:
    def __init__(self, http, tenant) -> None:
        self._http = http
        self.tenant = tenant

    def raw(self, payload, headers=None):
        response = self._http.post(
            "/graphql",
            headers=self.tenant.headers if headers is None else headers,
            body=payload if isinstance(payload, str | bytes) else json.dumps(payload),
        )
        return response.status_code, json.loads(response.body)

    def __call__(self, query, variables=None, operation_name=None, headers=None):
        """(status, body) of one request."""
        payload = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        return self.raw(payload, headers)

    def data(self, query, variables=None):
        """The data of a request that must succeed without errors."""
        status, body = self(query, variables)
        assert status == 200 and "errors" not in body, body
        return body["data"]

    def error(self, query, variables=None, status=200):
        """The first error of a request that must fail."""
        got, body = self(query, variables)
        assert got == status and body.get("errors"), (got, body)
        return body["errors"][0]


class MetadataClient:
    """POST /metadata (GraphQL) with one tenant's key; answers (status, body)."""

    def __init__(self, http, tenant) -> None:
        self._http = http
        self.tenant = tenant

    def __call__(self, query, variables=None, headers=None):
        response = self._http.post(
            "/metadata",
            headers=self.tenant.headers if headers is None else headers,
            body=json.dumps({"query": query, "variables": variables or {}}),
        )
        return response.status_code, json.loads(response.body)

    def data(self, query, variables=None):
        status, body = self(query, variables)
        assert status == 200 and "errors" not in body, body
        return body["data"]

    def error(self, query, variables=None, status=200):
        """The one error of a request that must fail (with HTTP `status`; None: any)."""
        got, body = self(query, variables)
        assert status is None or got == status, (got, body)
        assert len(body.get("errors") or ()) == 1, (got, body)
        return body["errors"][0]


COMPANY_FIELDS = "id name employees domainName { primaryLinkUrl } deletedAt"


def create_companies(gql, records, upsert=False):
    """Create companies through createCompanies; returns them as GraphQL shows them."""
    data = gql.data(
        f"mutation($d: [CompanyCreateInput!]!, $u: Boolean) "
        f"{{ createCompanies(data: $d, upsert: $u) {{ {COMPANY_FIELDS} }} }}",
        {"d": records, "u": upsert},
    )
    return data["createCompanies"]


def names(connection):
    return [edge["node"]["name"] for edge in connection["edges"]]


def fill(template, *values):
    """`template` with each `%s` replaced by the next value (GraphQL text is full of braces)."""
    for value in values:
        template = template.replace("%s", str(value), 1)
    return template
