"""Engine tuning and the few statements that differ between SQLite and PostgreSQL."""

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db


def init_app(app: Flask) -> None:
    """Make SQLite safe for a web process and workers writing at the same time."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that later writes fails at once with "database is
        # locked" when another process wrote meanwhile; taking the write lock up front
        # makes it wait (busy_timeout) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def transaction_open() -> bool:
    """Whether this request's session holds an open transaction (checked without creating one)."""
    return db.session.registry.has() and db.session().in_transaction()


def insert_ignoring_conflicts(model, values: dict | list[dict]):
    """An INSERT that silently skips rows violating a unique constraint. To learn whether a row
    went in, add .returning(…) and look for a row: rowcount is -1 on PostgreSQL."""
    dialect = db.engine.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model.__table__).values(values).on_conflict_do_nothing()


def execute_autocommitted(sql: str, params) -> tuple | None:
    """One statement straight to the PostgreSQL driver on a pooled connection, in autocommit:
    the cheapest durable write (no BEGIN/COMMIT round trips, no SQLAlchemy statement machinery).
    Returns the first row of its result, if any. PostgreSQL only."""
    pooled = db.engine.raw_connection()
    try:
        connection = pooled.dbapi_connection
        connection.autocommit = True
        try:
            return connection.execute(sql, params).fetchone()
        finally:
            connection.autocommit = False
    except psycopg.OperationalError:
        pooled.invalidate()  # the server went away: the pool opens a new connection next time
        raise
    finally:
        pooled.close()  # back to the pool
