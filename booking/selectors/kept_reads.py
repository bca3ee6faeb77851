"""Hot reads compiled once: a queryset's SQL is built the first time, each use binds a new id.

Building and compiling a queryset is Python work that gives the same SQL every time for the same
shape: the hold's read of its quote (seven tables joined) cost about 3 ms of it, its round trip a
tenth of that. ``KeptReads.get(key, build, value)`` compiles ``build(value)`` once per key (on the
database that queryset reads from: the project has one), then runs that SQL with ``value`` bound in its place and builds the rows as the ORM
does (``select_related`` objects included; ``prefetch_related`` lookups run as usual after it).

What makes a kept shape safe:

- ``build`` takes the one varying value (a row id) and everything else that shapes the SQL is in
  ``key``. A builder must not read the clock, the user or a setting: a value that differed
  between two compiles would be caught (the shape is then never kept), but one that only changes
  later (today's date) would be frozen into the SQL.
- On first use the shape is compiled twice, with two ids no table reaches: it is kept only when
  both give the same SQL, the two ids sit in the same places of the parameters, and every other
  parameter is equal. Otherwise every call runs the plain ORM.
- A value that is not a plain ``int`` in 1 … 2**63 - 1 runs the plain ORM.
- A locking read (``select_for_update``) outside a transaction is refused as the ORM refuses it.
- Shapes are forgotten when the database settings change (tests); at most ``size`` are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

# Two ids no table reaches (one above 2**62), told apart from every other parameter.
MARKERS = (5_764_607_523_034_234_881, 5_764_607_523_034_234_883)
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class _Shape:
    alias: str
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where the value goes in ``params``
    queryset: QuerySet  # compiled with the first marker, never evaluated
    compiler: SQLCompiler  # its compiler, set up (select, klass_info) by that compile


_UNKEEPABLE = object()


def _compile(build: Callable[[int], QuerySet]) -> _Shape | object:
    compiled = []
    for marker in MARKERS:
        queryset = build(marker)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):  # no rows at all (an empty scope): the plain way
            return _UNKEEPABLE
        compiled.append((queryset, compiler, sql, tuple(params)))
    (queryset, compiler, sql, params), (other_qs, _, other_sql, other_params) = compiled
    if sql != other_sql or len(params) != len(other_params) or queryset.db != other_qs.db:
        return _UNKEEPABLE
    slots = []
    for n, (first, second) in enumerate(zip(params, other_params, strict=True)):
        if (first, second) == MARKERS and type(first) is int and type(second) is int:
            slots.append(n)
        elif first != second or type(first) is not type(second) or first in MARKERS:
            return _UNKEEPABLE
    if not slots:
        return _UNKEEPABLE
    return _Shape(queryset.db, sql, params, tuple(slots), queryset, compiler)


def _bound(shape: _Shape, value: int) -> QuerySet:
    """A fresh queryset that runs the kept SQL with ``value`` bound and builds rows as the ORM does."""
    connection = connections[shape.alias]
    if shape.queryset.query.select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    params = list(shape.params)
    for slot in shape.slots:
        params[slot] = value
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

    def rows(self, key: Hashable, build: Callable[[int], QuerySet], value: Any) -> list:
        """The rows of ``build(value)``: compiled once per ``key``, bound each time."""
        if type(value) is not int or not 0 < value <= MAX_ID:
            return list(build(value))
        shape = self._shape(key, build)
        if shape is _UNKEEPABLE:
            return list(build(value))
        assert isinstance(shape, _Shape)
        return list(_bound(shape, value))

    def get(self, key: Hashable, build: Callable[[int], QuerySet], value: Any) -> Model:
        """The one row of ``build(value)``, like ``QuerySet.get``: ``DoesNotExist`` when none."""
        rows = self.rows(key, build, value)
        if len(rows) == 1:
            return rows[0]
        model = build(MARKERS[0]).model
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")

    def _shape(self, key: Hashable, build: Callable[[int], QuerySet]) -> _Shape | object:
        with self._lock:
            shape = self._shapes.get(key)
            if shape is not None:
                self._shapes.move_to_end(key)
                return shape
        shape = _compile(build)  # two threads may both compile it once: the same answer
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
