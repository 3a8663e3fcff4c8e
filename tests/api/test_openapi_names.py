"""A truthful OpenAPI document (issue 12 §10): no two different schemas share a name.

django-ninja files every schema under its class name; two classes of the same name in different
apps silently overwrite each other (a work order's timeline documented as the devices' events, so a
generated client could not confirm an order). Building the document here records every name that
is given two different definitions.
"""

from __future__ import annotations

from ninja.openapi.schema import OpenAPISchema

from config.api import api


def test_no_two_schemas_share_a_name(monkeypatch):
    clashes: dict[str, int] = {}
    original = OpenAPISchema.add_schema_definitions

    def add(self, definitions: dict) -> None:  # noqa: ANN001
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                clashes[name] = clashes.get(name, 1) + 1
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", add)
    document = api.get_openapi_schema()
    assert document["components"]["schemas"], "the document has no schemas at all"
    assert not clashes, f"schemas published under one name with different definitions: {sorted(clashes)}"
