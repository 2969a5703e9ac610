"""Column types that keep values exact (Decimal) and timezone-aware (UTC) on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

# What both databases keep exactly: PostgreSQL's NUMERIC(24, 6) rounds a seventh decimal away and refuses a
# nineteenth whole digit; SQLite keeps the text, whatever its length.
WHOLE_DIGITS, DECIMAL_PLACES = 18, 6
_TOO_LARGE = Decimal(10) ** WHOLE_DIGITS

DecimalProblem = Literal["too_large", "too_precise"]


def decimal_problem(value: Decimal) -> DecimalProblem | None:
    """Why value cannot be stored exactly on every backend (ExactDecimal refuses it), or None."""
    if not value.is_finite() or value.copy_abs() >= _TOO_LARGE:
        return "too_large"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return "too_precise" if -(exponent + trailing_zeros) > DECIMAL_PLACES else None


class ExactDecimal(TypeDecorator[Decimal]):
    """Decimal stored as NUMERIC on PostgreSQL and as text on SQLite (which would round through float).

    A value either database would not keep exactly is refused rather than rounded (see decimal_problem)."""

    impl = String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                Numeric(WHOLE_DIGITS + DECIMAL_PLACES, DECIMAL_PLACES, asdecimal=True)
            )
        return dialect.type_descriptor(String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ExactDecimal needs a Decimal, got {type(value).__name__}")
        problem = decimal_problem(value)
        if problem is not None:
            raise ValueError(f"ExactDecimal cannot store {value} exactly: {problem}")
        return value if dialect.name == "postgresql" else format(value.normalize(), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).normalize() if dialect.name == "postgresql" else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored in UTC; naive datetimes are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UTCDateTime refuses naive datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
