"""Hot reads compiled once: a queryset's SQL is built the first time, each use binds new values.

Building and compiling a queryset is Python work that gives the same SQL every time for the same
shape: the hold's read of its quote (seven tables joined) cost about 3 ms of it, its round trip a
tenth of that. ``KeptReads.get(key, build, value)`` compiles ``build(value)`` once per key (on the
database that queryset reads from: the project has one), then runs that SQL with ``value`` bound
in its place and builds the rows as the ORM does (``select_related`` objects included;
``prefetch_related`` lookups run as usual after it). A shape of several values takes them as a
tuple, ``build(*values)``: a row id, a string (a token's digest), an aware datetime (the moment a
hold is counted at).

What makes a kept shape safe:

- ``build`` takes the varying values and everything else that shapes the SQL is in ``key``. A
  builder must not read the clock, the user or a setting: a value that differed between two
  compiles would be caught (the shape is then never kept), but one that only changes later
  (today's date) would be frozen into the SQL. The moment a read counts at is a value.
- On first use the shape is compiled twice, with two sets of markers no row holds (ids above
  2**62, strings with a NUL, datetimes in the year 9999): it is kept only when both give the same
  SQL, each value's markers sit in the same places of the parameters, untouched, and every other
  parameter is equal. A value the ORM rewrites (a string in ``icontains``, a datetime SQLite turns
  into text) leaves no marker and the shape is never kept: every call runs the plain ORM.
- A value that is not a plain ``int`` in 1 … 2**63 - 1, a ``str`` or an aware ``datetime`` runs
  the plain ORM.
- A locking read (``select_for_update``) outside a transaction is refused as the ORM refuses it.
- Shapes are forgotten when the database settings change (tests); at most ``size`` are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

# Two ids no table reaches (one above 2**62), told apart from every other parameter; a value at
# position n of a tuple is marked with these plus 4 * n.
MARKERS = (5_764_607_523_034_234_881, 5_764_607_523_034_234_883)
MAX_ID = 2**63 - 1
KeptValue = int | str | datetime


@dataclass(frozen=True)
class _Shape:
    alias: str
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (place in ``params``, which value goes there)
    queryset: QuerySet  # compiled with the first markers, never evaluated
    compiler: SQLCompiler  # its compiler, set up (select, klass_info) by that compile


_UNKEEPABLE = object()


def _kind(value: Any) -> type | None:
    """The type a value is marked and bound as; ``None`` for a value the plain ORM must take."""
    kind = type(value)
    if kind is int:
        return int if 0 < value <= MAX_ID else None
    if kind is str:
        return str
    if kind is datetime:
        return datetime if value.utcoffset() is not None else None
    return None


def _marker(kind: type, position: int, which: int) -> KeptValue:
    if kind is int:
        return MARKERS[which] + 4 * position
    if kind is str:
        return f"\x00kept-read-{position}-{which}"
    return datetime(9999, 1, 1 + position, 0, 0, 0, which + 1, tzinfo=UTC)


def _compile(build: Callable[..., QuerySet], kinds: tuple[type, ...]) -> _Shape | object:
    compiled = []
    markers = [tuple(_marker(kind, n, which) for n, kind in enumerate(kinds)) for which in (0, 1)]
    for values in markers:
        try:
            queryset = build(*values)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):  # no rows at all (an empty scope): the plain way
            return _UNKEEPABLE
        except (ValueError, TypeError, ValidationError):  # a marker the field refuses (text for an id)
            return _UNKEEPABLE
        compiled.append((queryset, compiler, sql, tuple(params)))
    (queryset, compiler, sql, params), (other_qs, _, other_sql, other_params) = compiled
    if sql != other_sql or len(params) != len(other_params) or queryset.db != other_qs.db:
        return _UNKEEPABLE
    first_markers, second_markers = markers
    every_marker = set(first_markers) | set(second_markers)
    slots = []
    for n, (first, second) in enumerate(zip(params, other_params, strict=True)):
        position = _position(first, second, first_markers, second_markers)
        if position is not None:
            slots.append((n, position))
        elif first != second or type(first) is not type(second) or _is_marker(first, every_marker):
            return _UNKEEPABLE
    if not slots:
        return _UNKEEPABLE
    return _Shape(queryset.db, sql, params, tuple(slots), queryset, compiler)


def _position(first: Any, second: Any, first_markers: tuple, second_markers: tuple) -> int | None:
    """Which value's markers the two compiles put in this place, if any (same type, untouched)."""
    for n, (a, b) in enumerate(zip(first_markers, second_markers, strict=True)):
        if type(first) is type(a) and type(second) is type(b) and first == a and second == b:
            return n
    return None


def _is_marker(param: Any, every_marker: set) -> bool:
    try:
        return param in every_marker
    except TypeError:  # an unhashable parameter (a list) is no marker
        return False


def _bound(shape: _Shape, values: tuple[KeptValue, ...]) -> QuerySet:
    """A fresh queryset that runs the kept SQL with ``values`` bound and builds rows as the ORM does."""
    connection = connections[shape.alias]
    if shape.queryset.query.select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    params = list(shape.params)
    for slot, position in shape.slots:
        params[slot] = values[position]
    bound_params = tuple(params)
    compiler = SQLCompiler.__new__(type(shape.compiler))
    compiler.__dict__.update(shape.compiler.__dict__)
    compiler.connection = connection
    compiler.as_sql = lambda *args, **kwargs: (shape.sql, bound_params)  # type: ignore[method-assign]
    queryset = shape.queryset.all()  # a clone of the template: the template is never evaluated
    queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
    return queryset


class KeptReads:
    """Compiled read shapes by key; the oldest dropped beyond ``size``."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._shapes: OrderedDict[Hashable, _Shape | object] = OrderedDict()
        self._lock = threading.Lock()
        _all.append(self)

    def forget(self) -> None:
        with self._lock:
            self._shapes.clear()

    def rows(self, key: Hashable, build: Callable[..., QuerySet], value: Any) -> list:
        """The rows of ``build(value)`` (``build(*value)`` for a tuple): compiled once per ``key``,
        bound each time."""
        values = value if type(value) is tuple else (value,)
        kinds = tuple(_kind(each) for each in values)
        if not values or None in kinds:
            return list(build(*values))
        shape = self._shape((key, kinds), build, kinds)  # type: ignore[arg-type]
        if not isinstance(shape, _Shape):
            return list(build(*values))
        return list(_bound(shape, values))

    def get(self, key: Hashable, build: Callable[..., QuerySet], value: Any) -> Model:
        """The one row of ``build(value)``, like ``QuerySet.get``: ``DoesNotExist`` when none, and
        read without the model's default order, as ``get`` reads (an order that joins another table
        would make a locking read lock that table's row too)."""
        rows = self.rows(("get", key), lambda *values: build(*values).order_by(), value)
        if len(rows) == 1:
            return rows[0]
        values = value if type(value) is tuple else (value,)
        model = build(*values).model
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")

    def _shape(
        self, key: Hashable, build: Callable[..., QuerySet], kinds: tuple[type, ...]
    ) -> _Shape | object:
        with self._lock:
            shape = self._shapes.get(key)
            if shape is not None:
                self._shapes.move_to_end(key)
                return shape
        shape = _compile(build, kinds)  # two threads may both compile it once: the same answer
        with self._lock:
            self._shapes[key] = shape
            while len(self._shapes) > self.size:
                self._shapes.popitem(last=False)
        return shape

    def __len__(self) -> int:
        return len(self._shapes)


_all: list[KeptReads] = []


def _forget_on_database_change(*, setting: str, **_kwargs: Any) -> None:
    if setting == "DATABASES":
        for kept in _all:
            kept.forget()


setting_changed.connect(_forget_on_database_change)
