"""Alembic environment: runs migrations on the application's own engine."""

import logging
from contextlib import contextmanager, nullcontext
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import event

config = context.config
if config.config_file_name:
    # Keep the application's loggers working when migrations run inside it.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (`flask db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection of the application's engine."""

    def skip_empty_revisions(context, revision, directives):
        # `flask db migrate` with no schema change writes no empty file.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_revisions)
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            configure_args["on_version_apply"] = _check_sqlite_foreign_keys
            configure_args["transactional_ddl"] = True  # see _sqlite_migration_mode
        with _sqlite_migration_mode(connection) if sqlite else nullcontext():
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **configure_args
            )
            with context.begin_transaction():
                context.run_migrations()


@contextmanager
def _sqlite_migration_mode(connection):
    """Foreign keys off and one real transaction for the migrations; both restored after.

    A batch migration rebuilds a table (copy, drop, rename): with foreign keys on, the drop
    cascades and empties every child table. The pragma is ignored inside a transaction, so it
    is set before one begins. And pysqlite commits DDL as it goes; in autocommit mode with an
    explicit BEGIN, a failed upgrade (or foreign key check) leaves the database untouched, as
    on PostgreSQL.
    """
    dbapi_connection = connection.connection.dbapi_connection
    connection.commit()
    isolation_level = dbapi_connection.isolation_level
    dbapi_connection.isolation_level = None
    try:
        _set_sqlite_foreign_keys(connection, on=False)
        event.listen(connection, "begin", _emit_begin)
        try:
            yield
        finally:
            event.remove(connection, "begin", _emit_begin)
            connection.rollback()
            # The connection goes back to the pool: the application expects foreign keys.
            _set_sqlite_foreign_keys(connection, on=True)
    finally:
        dbapi_connection.isolation_level = isolation_level


def _emit_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _set_sqlite_foreign_keys(connection, on: bool) -> None:
    """Switch SQLite's foreign keys on this connection (in autocommit mode, no transaction)."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != int(on):
        raise RuntimeError(f"SQLite did not switch foreign keys {'on' if on else 'off'}.")
    connection.commit()


def _check_sqlite_foreign_keys(ctx, step, heads, run_args) -> None:
    """Stop (and roll back) when a migration step leaves rows pointing at missing rows."""
    problems = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        listed = "; ".join(
            f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in problems[:10]
        )
        direction = "upgrade to" if step.is_upgrade else "downgrade from"
        raise RuntimeError(
            f"The {direction} {step.up_revision_id} left {len(problems)} row(s) whose foreign "
            f"key points at no row ({listed}). Nothing was changed: fix those rows or the "
            "migration, then run it again."
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
