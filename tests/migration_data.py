"""Rows for every table of a database, made from its reflected schema, for the migration tests.

Nothing here names a table: whatever tables a revision has, `fill_every_table` reflects them and
inserts rows that satisfy their NOT NULL, CHECK, UNIQUE and FOREIGN KEY constraints, so a new
migration is covered without writing anything. Values are deterministic, differ from row to row
(unique constraints hold) and carry a non-ASCII character (encodings survive table rebuilds).

- CHECK constraints are read from reflection: a check on one column that lists quoted values
  (`role IN ('member', 'admin')`, or PostgreSQL's `= ANY (ARRAY[...])`) picks among them; a
  comparison of two columns (`ends_at > starts_at`) is made true.
- Foreign keys point at existing rows: tables are filled parents first, row n of a child pointing
  at row n of its parent (at itself for a self-reference). A cycle is broken at a nullable
  foreign key, filled in by an UPDATE once every row exists.
- Primary keys are given explicitly; on PostgreSQL the sequences are moved past them, so a later
  migration that inserts rows does not collide.
"""

import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKeyConstraint,
    Integer,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    func,
    select,
    text,
    tuple_,
)

ROWS_PER_TABLE = 2
START = datetime(2024, 3, 1, 9, 0)

# table -> primary key (as a tuple) -> column -> value
Snapshot = dict[str, dict[tuple, dict[str, Any]]]

_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_CAST = re.compile(r"::\s*[a-z_ ]+(\[\])?")  # PostgreSQL's ::text, ::character varying[]
_COMPARISON = re.compile(r"\b(\w+)\s*(>=|<=|>|<)\s*(\w+)\b")


def reflect(connection: Connection) -> list[Table]:
    """Every table the database has now (Alembic's own table aside), by name."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [table for name, table in sorted(metadata.tables.items()) if name != "alembic_version"]


def fill_every_table(connection: Connection, rows_per_table: int = ROWS_PER_TABLE) -> None:
    """Insert `rows_per_table` valid rows into every table of the database."""
    tables = reflect(connection)
    order, deferred = _insertion_order(tables)
    inserted: dict[str, list[dict[str, Any]]] = {}
    for table in order:
        rows = [_row(table, n, inserted, deferred) for n in range(1, rows_per_table + 1)]
        try:
            connection.execute(table.insert(), rows)
        except Exception as error:
            raise AssertionError(
                f"tests/migration_data.py could not fill {table.name} ({error}); teach it the "
                "constraint that refused the rows."
            ) from error
        inserted[table.name] = rows
    for constraint in deferred:
        _fill_deferred_foreign_key(connection, constraint, inserted)
    if connection.dialect.name == "postgresql":
        _advance_sequences(connection, tables, rows_per_table)


def read_every_table(connection: Connection) -> Snapshot:
    """Every row of every table, keyed by primary key, for comparing before and after."""
    snapshot: Snapshot = {}
    for table in reflect(connection):
        key_columns = list(table.primary_key.columns) or list(table.columns)
        rows = connection.execute(select(table)).mappings()
        snapshot[table.name] = {
            tuple(row[column.name] for column in key_columns): dict(row) for row in rows
        }
    return snapshot


def count_every_table(connection: Connection) -> dict[str, int]:
    """The number of rows of each table."""
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in reflect(connection)
    }


def lost_or_changed(before: Snapshot, after: Snapshot, allowed: dict[tuple, str]) -> list[str]:
    """What `after` lacks of `before`: tables, rows, columns or values, unless allowed.

    `allowed` maps (table, column) to the reason a migration changes or drops that column on
    purpose, and (table, None) to the reason it drops or rewrites that whole table.
    """
    problems = []
    for name, rows in before.items():
        if (name, None) in allowed:
            continue
        if name not in after:
            problems.append(f"table {name} was dropped with its {len(rows)} rows")
            continue
        if len(after[name]) != len(rows):
            problems.append(f"{name}: {len(rows)} rows before, {len(after[name])} after")
        for key, row in rows.items():
            kept = after[name].get(key)
            if kept is None:
                problems.append(f"{name} row {key} was lost")
                continue
            for column, value in row.items():
                if (name, column) in allowed:
                    continue
                if column not in kept:
                    problems.append(f"{name}.{column} was dropped")
                elif kept[column] != value:
                    problems.append(f"{name}.{column} row {key}: {value!r} became {kept[column]!r}")
    return sorted(set(problems))


def _insertion_order(tables: list[Table]) -> tuple[list[Table], set[ForeignKeyConstraint]]:
    """Parents before children; the nullable foreign keys that break a cycle, if any."""
    remaining = {table.name: table for table in tables}
    order: list[Table] = []
    deferred: set[ForeignKeyConstraint] = set()

    def waits_for(table: Table) -> list[ForeignKeyConstraint]:
        return [
            constraint
            for constraint in table.foreign_key_constraints
            if constraint not in deferred
            and constraint.referred_table.name != table.name
            and constraint.referred_table.name in remaining
        ]

    while remaining:
        ready = [table for table in remaining.values() if not waits_for(table)]
        if ready:
            for table in ready:
                order.append(remaining.pop(table.name))
            continue
        breakable = [
            constraint
            for table in remaining.values()
            for constraint in waits_for(table)
            if all(column.nullable for column in constraint.columns)
        ]
        if not breakable:
            raise AssertionError(f"a cycle of NOT NULL foreign keys between {sorted(remaining)}")
        deferred.add(breakable[0])
    return order, deferred


def _row(
    table: Table,
    n: int,
    inserted: dict[str, list[dict[str, Any]]],
    deferred: set[ForeignKeyConstraint],
) -> dict[str, Any]:
    """Row number `n` (from 1) of the table, pointing at rows already inserted."""
    choices = _checked_values(table)
    row = {
        column.name: _value(column, n, position, choices.get(column.name))
        for position, column in enumerate(table.columns)
    }
    for left, operator, right in _column_comparisons(table):
        _make_true(row, left, operator, right)
    for constraint in table.foreign_key_constraints:
        if constraint in deferred:
            parent = dict.fromkeys((element.column.name for element in constraint.elements), None)
        elif constraint.referred_table.name == table.name:
            parent = row
        else:
            parents = inserted[constraint.referred_table.name]
            parent = parents[(n - 1) % len(parents)]
        for element in constraint.elements:
            row[element.parent.name] = parent[element.column.name]
    return row


def _value(column: Column, n: int, position: int, choices: list[str] | None) -> Any:
    """A value of the column's type for row `n`; `position` keeps columns of a row apart."""
    kind = column.type
    if choices:
        return choices[n % len(choices)]
    if isinstance(kind, Enum):
        return kind.enums[n % len(kind.enums)]
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return n
    if isinstance(kind, Float):
        return n + 0.5
    if isinstance(kind, Numeric):
        return Decimal(n) + Decimal("0.25")
    if isinstance(kind, DateTime):
        return START + timedelta(days=n, minutes=position)
    if isinstance(kind, Date):
        return START.date() + timedelta(days=n + position)
    if isinstance(kind, Time):
        return time(9 + n, position % 60)
    if isinstance(kind, Interval):
        return timedelta(minutes=n)
    if isinstance(kind, JSON):
        return [f"{column.name} {n} é", n]
    if isinstance(kind, Uuid):
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{column.table.name}/{column.name}/{n}")
    if isinstance(kind, LargeBinary):
        return f"{column.name} {n}".encode()
    if isinstance(kind, String):  # Text included
        value = f"{column.name} {n} é"
        if kind.length and len(value) > kind.length:
            value = f"{n}{column.name}"[: kind.length]
        return value
    raise AssertionError(
        f"tests/migration_data.py has no value for {column.table.name}.{column.name} "
        f"({kind!r}): add one to _value()."
    )


def _checked_values(table: Table) -> dict[str, list[str]]:
    """For each column whose CHECK lists quoted values, those values."""
    choices = {}
    for check in _checks(table):
        values = [value.replace("''", "'") for value in _LITERAL.findall(check)]
        columns = _columns_named(table, check)
        if values and len(columns) == 1:
            choices[columns[0]] = values
    return choices


def _column_comparisons(table: Table) -> list[tuple[str, str, str]]:
    """(left, operator, right) for each CHECK comparing two columns of the table."""
    names = {column.name for column in table.columns}
    return [
        (left, operator, right)
        for check in _checks(table)
        for left, operator, right in _COMPARISON.findall(_without_literals(check))
        if left in names and right in names
    ]


def _make_true(row: dict[str, Any], left: str, operator: str, right: str) -> None:
    """Set the left column just past the right one when the comparison does not hold."""
    if row[left] is None or row[right] is None:
        return
    holds = {
        ">": row[left] > row[right],
        ">=": row[left] >= row[right],
        "<": row[left] < row[right],
        "<=": row[left] <= row[right],
    }[operator]
    if holds:
        return
    step: Any = 1
    if isinstance(row[right], datetime):
        step = timedelta(hours=1)
    elif isinstance(row[right], date):
        step = timedelta(days=1)
    row[left] = row[right] + step if ">" in operator else row[right] - step


def _checks(table: Table) -> list[str]:
    return [
        str(constraint.sqltext)
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    ]


def _without_literals(check: str) -> str:
    return _CAST.sub(" ", _LITERAL.sub("''", check))


def _columns_named(table: Table, check: str) -> list[str]:
    words = set(re.findall(r"\w+", _without_literals(check)))
    return [column.name for column in table.columns if column.name in words]


def _fill_deferred_foreign_key(
    connection: Connection,
    constraint: ForeignKeyConstraint,
    inserted: dict[str, list[dict[str, Any]]],
) -> None:
    """Point row n at parent row n, now that both exist."""
    table = constraint.table
    key = list(table.primary_key.columns)
    parents = inserted[constraint.referred_table.name]
    for n, row in enumerate(inserted[table.name]):
        parent = parents[n % len(parents)]
        connection.execute(
            table.update()
            .where(tuple_(*key) == tuple(row[column.name] for column in key))
            .values({e.parent.name: parent[e.column.name] for e in constraint.elements})
        )


def _advance_sequences(connection: Connection, tables: list[Table], last: int) -> None:
    """Move each serial key's sequence past the ids given explicitly."""
    for table in tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer):
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, :column), :last)"),
                    {"table": table.name, "column": column.name, "last": last},
                )
