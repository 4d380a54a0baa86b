"""The W3C Entity Reconciliation API 0.2 JSON Schemas, vendored in tests/data/reconciliation-api-0.2/, as
validators of the ``jsonschema`` library (Draft 7, as the schemas were written for; ``$ref`` resolved through a
``referencing`` registry of every vendored schema, as upstream's ajv call passes them all with ``-r``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

FOLDER = Path(__file__).parent / "data" / "reconciliation-api-0.2"
SCHEMAS = FOLDER / "schemas"
EXAMPLES = FOLDER / "examples"


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource(contents=schema, specification=DRAFT7)
        resources.append((schema["$id"].rstrip("#"), resource))
        resources.append((schema["$id"], resource))
    return Registry().with_resources(resources)


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def validator(name: str, pointer: str = "") -> Draft7Validator:
    """A validator for ``schemas/<name>.json``, or for the part of it at ``pointer`` (e.g. the manifest's preview)."""
    whole = schema(name)
    if not pointer:
        return Draft7Validator(whole, registry=registry())
    return Draft7Validator({"$ref": whole["$id"].rstrip("#") + "#" + pointer}, registry=registry())


def check(name: str, instance: object, pointer: str = "") -> None:
    """Fail with every error when ``instance`` does not validate against the schema."""
    errors = sorted(validator(name, pointer).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}{pointer}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
