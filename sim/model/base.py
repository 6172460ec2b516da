"""Common base for all schemas: strict, immutable, unknown fields rejected with a hint."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from sim.model.errors import unknown_field_message

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:#~/@+-]*$"),
]
"""An identifier used in user files (``"icv-01"``, ``"no-fly-airport"``): letters, digits
and ``_ . : # ~ / @ + -``, at most 128 characters, no spaces."""


class StrictModel(BaseModel):
    """Base of every schema: frozen, no extra fields, no silent type coercion of strings."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=False,
        validate_default=True,
        populate_by_name=True,
        arbitrary_types_allowed=False,
    )

    _kind_field: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields(cls, data: Any) -> Any:
        """Reject keys that are not fields, naming the closest field as a hint."""
        if isinstance(data, dict):
            known: set[str] = set()
            for name, field in cls.model_fields.items():
                known.add(name)
                if field.alias:
                    known.add(field.alias)
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_field",
                        unknown_field_message(str(key), known),
                        {"field": str(key)},
                    )
        return data
