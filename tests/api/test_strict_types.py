"""A truthful OpenAPI document (issue 12 §10): types are strict. An integer does not accept ``false``
and a date does not accept ``0`` (pydantic's lax mode would read them as 0 and 1970-01-01) — in every
input model of every operation, including nested ones. Core's ``Int``/``Day``/``Moment`` types do this."""

from __future__ import annotations

import datetime as dt
import decimal
import typing

from pydantic import BaseModel, TypeAdapter

from config.api import api

NUMBERS = (int, decimal.Decimal, float)
DATES = (dt.date, dt.datetime)


def _models(model: type[BaseModel], seen: set) -> typing.Iterator[type[BaseModel]]:
    if model in seen:
        return
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            arg = stack.pop()
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _models(arg, seen)
            stack.extend(typing.get_args(arg))


def _lax_fields() -> list[str]:
    seen: set = set()
    lax = []
    for _prefix, router in api._routers:
        for operations in router.path_operations.values():
            for operation in operations.operations:
                for root in operation.models:
                    for model in _models(root, seen):
                        for name, field in model.model_fields.items():
                            kinds = {
                                a for a in (field.annotation, *typing.get_args(field.annotation)) if isinstance(a, type)
                            }
                            probes = [False] if kinds & set(NUMBERS) else [0] if kinds & set(DATES) else []
                            annotation = (
                                typing.Annotated[(field.annotation, *field.metadata)]
                                if field.metadata
                                else field.annotation
                            )
                            adapter = TypeAdapter(annotation)
                            for probe in probes:
                                try:
                                    adapter.validate_python(probe)
                                except Exception:  # noqa: BLE001, S112 - refused, as it should be
                                    continue
                                lax.append(f"{model.__module__}.{model.__name__}.{name} accepts {probe!r}")
    return lax


def test_every_input_type_is_strict():
    assert _lax_fields() == []
