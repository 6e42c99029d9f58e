"""Saved work: named clients, their profiles and their past plans, in one SQLite file.

The file lives in the user's data directory (``platformdirs.user_data_dir("mealplan")``)
unless the environment variable ``MEALPLAN_DB`` names another path.

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`):

- ``clients(id, name UNIQUE, notes, created_at)``
- ``profiles(id, client_id -> clients, name, format, body, created_at)``: a profile is
  text (TOML or JSON) so that it stays readable and survives library upgrades.
- ``plans(id, client_id -> clients, profile_id -> profiles NULL, name, body, created_at)``:
  ``body`` is the plan's JSON export (:func:`mealplan.export.to_json`).

Every write runs in one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); an exception
inside rolls it back, so a crash mid-save never loses what was saved before. Several
processes may use one file at once: schema creation runs in such a transaction and checks
the version again inside it, writers wait for each other (``busy_timeout``), and
:meth:`Store.get_or_create_client` is one ``INSERT ... ON CONFLICT``. Every SQLite error,
on reads too, becomes a :class:`~mealplan.errors.StoreError` naming the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from .errors import StoreError

__all__ = [
    "DB_ENV",
    "SCHEMA_VERSION",
    "ClientRecord",
    "PlanRecord",
    "ProfileRecord",
    "Store",
    "default_db_path",
]

DB_ENV = "MEALPLAN_DB"
SCHEMA_VERSION = 1
ProfileFormat = Literal["toml", "json"]
MAX_NAME = 200
BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for another process's transaction

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('toml', 'json')),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS profiles_client ON profiles(client_id);
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    profile_id INTEGER REFERENCES profiles(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS plans_client ON plans(client_id);
"""

# Migrations: MIGRATIONS[v] upgrades a database at user_version v to v + 1.
MIGRATIONS: dict[int, str] = {0: _SCHEMA_V1}


def default_db_path() -> Path:
    """Where saved work lives: ``$MEALPLAN_DB`` if set, else the user's data directory.

    Returns:
        The path of the SQLite file (it may not exist yet).
    """
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mealplan")) / "mealplan.sqlite3"


@dataclass(frozen=True)
class ClientRecord:
    """A client of a dietitian (or just "me")."""

    id: int
    name: str
    notes: str
    created_at: str


@dataclass(frozen=True)
class ProfileRecord:
    """A saved profile: the settings a plan was made from, as TOML or JSON text."""

    id: int
    client_id: int
    name: str
    format: ProfileFormat
    body: str
    created_at: str

    def data(self) -> dict[str, object]:
        """The profile parsed into a dict.

        Raises:
            StoreError: if the stored text does not parse.
        """
        try:
            parsed: object = (tomllib.loads(self.body) if self.format == "toml"
                              else json.loads(self.body))
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"saved profile '{self.name}' (id {self.id}) is unreadable: "
                             f"{exc}") from None
        if not isinstance(parsed, dict):
            raise StoreError(f"saved profile '{self.name}' (id {self.id}) is not a table")
        return parsed


@dataclass(frozen=True)
class PlanRecord:
    """A saved plan: its JSON export plus where it came from."""

    id: int
    client_id: int
    profile_id: int | None
    name: str
    body: str
    created_at: str

    def data(self) -> dict[str, object]:
        """The plan's JSON export parsed into a dict.

        Raises:
            StoreError: if the stored text is not a JSON object.
        """
        try:
            parsed: object = json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise StoreError(f"saved plan '{self.name}' (id {self.id}) is unreadable: "
                             f"{exc}") from None
        if not isinstance(parsed, dict):
            raise StoreError(f"saved plan '{self.name}' (id {self.id}) is not a JSON object")
        return parsed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean_name(name: str, what: str) -> str:
    n = name.strip()
    if not n:
        raise StoreError(f"{what} name is empty")
    if len(n) > MAX_NAME:
        raise StoreError(f"{what} name is longer than {MAX_NAME} characters")
    return n


class Store:
    """The saved-work database. Open with ``Store(path)`` or ``Store.open_default()``.

    Each method opens its own short transaction; use :meth:`transaction` to group several
    writes so that they land together or not at all.
    """

    def __init__(self, path: str | Path) -> None:
        """Open (creating if needed) and migrate the database at ``path``.

        Args:
            path: the SQLite file; its directory is created if missing.

        Raises:
            StoreError: if the file cannot be opened, is not a mealplan database, or was
                written by a newer mealplan (schema version above this one's).
        """
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         timeout=BUSY_TIMEOUT_MS / 1000,
                                         check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open saved-work database {self.path}: {exc}") from None
        self._conn.row_factory = sqlite3.Row
        self._depth = 0
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._wal()
            self._migrate()
        except (sqlite3.Error, StoreError) as exc:
            self._conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{self.path} is not a usable mealplan database: {exc}") from None

    def _wal(self) -> None:
        """Switch to WAL. SQLite may answer "database is locked" at once, without its busy
        handler, while another process creates the same new file: retry for a while."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @classmethod
    def open_default(cls) -> Store:
        """Open the database at :func:`default_db_path`."""
        return cls(default_db_path())

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """Run a read; a SQLite error (damaged file, locked, ...) becomes a StoreError."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read saved work from {self.path}: {exc}") from None

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``."""
        return int(self._rows("PRAGMA user_version")[0][0])

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer mealplan (schema {version}, this version "
                f"reads up to {SCHEMA_VERSION}); upgrade mealplan or use another MEALPLAN_DB")

    def _migrate(self) -> None:
        version = self.schema_version
        self._check_version(version)
        while version < SCHEMA_VERSION:
            with self.transaction():
                # Another process may have migrated since we looked: look again under the
                # write lock (BEGIN IMMEDIATE), so only one of them runs each step.
                version = self.schema_version
                self._check_version(version)
                if version >= SCHEMA_VERSION:
                    break
                # executescript would COMMIT early; run statement by statement instead.
                for stmt in MIGRATIONS[version].split(";"):
                    if stmt.strip():
                        self._conn.execute(stmt)
                self._conn.execute(f"PRAGMA user_version = {version + 1}")
            version += 1

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group writes: all of them are committed, or none if the block raises.

        Nested uses join the outer transaction.

        Yields:
            The connection (for raw SQL in tests and migrations).

        Raises:
            StoreError: if SQLite fails (the transaction is rolled back).
        """
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to {self.path}: {exc}") from None
        self._depth = 1
        try:
            yield self._conn
        except sqlite3.IntegrityError as exc:
            self._rollback()
            raise StoreError(f"saved work not changed: {exc}") from None
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"cannot write to {self.path}: {exc}") from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"cannot write to {self.path}: {exc}") from None
        finally:
            self._depth = 0

    # -- clients -------------------------------------------------------------------------
    def add_client(self, name: str, notes: str = "") -> ClientRecord:
        """Create a client.

        Args:
            name: unique, non-empty display name.
            notes: free text.

        Returns:
            The new client.

        Raises:
            StoreError: if the name is empty, too long or already taken.
        """
        n = _clean_name(name, "client")
        with self.transaction() as c:
            cur = c.execute("INSERT INTO clients(name, notes, created_at) VALUES (?, ?, ?) "
                            "ON CONFLICT(name) DO NOTHING", (n, notes, _now()))
            if cur.rowcount == 0:  # checked in the same transaction: no race
                raise StoreError(f"a client named '{n}' already exists")
            cid = int(cur.lastrowid or 0)
        return self.client(cid)

    def get_or_create_client(self, name: str) -> ClientRecord:
        """The client with this name, created if missing (safe with concurrent callers).

        Raises:
            StoreError: if the name is empty or too long, or SQLite fails.
        """
        n = _clean_name(name, "client")
        with self.transaction() as c:
            c.execute("INSERT INTO clients(name, notes, created_at) VALUES (?, '', ?) "
                      "ON CONFLICT(name) DO NOTHING", (n, _now()))
        found = self.find_client(n)
        if found is None:  # deleted by another process in between
            raise StoreError(f"client '{n}' was deleted while it was being saved; try again")
        return found

    def client(self, client_id: int) -> ClientRecord:
        """One client by id.

        Raises:
            StoreError: if there is no such client.
        """
        rows = self._rows("SELECT * FROM clients WHERE id = ?", (client_id,))
        if not rows:
            raise StoreError(f"no saved client with id {client_id}")
        row = rows[0]
        return ClientRecord(int(row["id"]), row["name"], row["notes"], row["created_at"])

    def find_client(self, name: str) -> ClientRecord | None:
        """The client with this exact name, or None."""
        rows = self._rows("SELECT * FROM clients WHERE name = ?", (name.strip(),))
        if not rows:
            return None
        row = rows[0]
        return ClientRecord(int(row["id"]), row["name"], row["notes"], row["created_at"])

    def clients(self) -> list[ClientRecord]:
        """Every client, by name."""
        rows = self._rows("SELECT * FROM clients ORDER BY name COLLATE NOCASE")
        return [ClientRecord(int(r["id"]), r["name"], r["notes"], r["created_at"]) for r in rows]

    def delete_client(self, client_id: int) -> None:
        """Delete a client with all their profiles and plans.

        Raises:
            StoreError: if there is no such client.
        """
        self.client(client_id)
        with self.transaction() as c:
            c.execute("DELETE FROM clients WHERE id = ?", (client_id,))

    # -- profiles ------------------------------------------------------------------------
    def save_profile(self, client_id: int, name: str, body: str,
                     fmt: ProfileFormat = "json") -> ProfileRecord:
        """Save a profile (a new version each time; older ones stay).

        Args:
            client_id: whose profile.
            name: a label ("baseline", "after blood test").
            body: the profile as TOML or JSON text; it must parse.
            fmt: ``"toml"`` or ``"json"``.

        Returns:
            The saved profile.

        Raises:
            StoreError: if the client is unknown or the text does not parse.
        """
        n = _clean_name(name, "profile")
        if fmt not in ("toml", "json"):
            raise StoreError(f"unknown profile format '{fmt}' (use toml or json)")
        self.client(client_id)
        ProfileRecord(0, client_id, n, fmt, body, "").data()  # must parse before it is stored
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO profiles(client_id, name, format, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (client_id, n, fmt, body, _now()))
            pid = int(cur.lastrowid or 0)
        return self.profile(pid)

    def profile(self, profile_id: int) -> ProfileRecord:
        """One profile by id.

        Raises:
            StoreError: if there is no such profile.
        """
        rows = self._rows("SELECT * FROM profiles WHERE id = ?", (profile_id,))
        if not rows:
            raise StoreError(f"no saved profile with id {profile_id}")
        return _profile(rows[0])

    def profiles(self, client_id: int) -> list[ProfileRecord]:
        """A client's profiles, newest first."""
        rows = self._rows("SELECT * FROM profiles WHERE client_id = ? ORDER BY id DESC",
                          (client_id,))
        return [_profile(r) for r in rows]

    def latest_profile(self, client_id: int) -> ProfileRecord | None:
        """A client's newest profile, or None."""
        found = self.profiles(client_id)
        return found[0] if found else None

    # -- plans ---------------------------------------------------------------------------
    def save_plan(self, client_id: int, name: str, plan_json: str,
                  profile_id: int | None = None) -> PlanRecord:
        """Save a plan's JSON export.

        Args:
            client_id: whose plan.
            name: a label.
            plan_json: :func:`mealplan.export.to_json` of the plan; must be a JSON object.
            profile_id: the profile it was made from, if saved.

        Returns:
            The saved plan.

        Raises:
            StoreError: if the client/profile is unknown or the text is not a JSON object.
        """
        n = _clean_name(name, "plan")
        self.client(client_id)
        if profile_id is not None:
            p = self.profile(profile_id)
            if p.client_id != client_id:
                raise StoreError(f"profile {profile_id} belongs to another client")
        PlanRecord(0, client_id, profile_id, n, plan_json, "").data()
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO plans(client_id, profile_id, name, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (client_id, profile_id, n, plan_json, _now()))
            pid = int(cur.lastrowid or 0)
        return self.plan(pid)

    def save_profile_and_plan(self, client_id: int, name: str, profile_body: str,
                              plan_json: str, fmt: ProfileFormat = "json",
                              ) -> tuple[ProfileRecord, PlanRecord]:
        """Save a profile and the plan made from it in one transaction (both or neither).

        Returns:
            The saved profile and plan.

        Raises:
            StoreError: as :meth:`save_profile` and :meth:`save_plan`.
        """
        with self.transaction():
            prof = self.save_profile(client_id, name, profile_body, fmt)
            plan = self.save_plan(client_id, name, plan_json, prof.id)
        return prof, plan

    def plan(self, plan_id: int) -> PlanRecord:
        """One plan by id.

        Raises:
            StoreError: if there is no such plan.
        """
        rows = self._rows("SELECT * FROM plans WHERE id = ?", (plan_id,))
        if not rows:
            raise StoreError(f"no saved plan with id {plan_id}")
        return _plan(rows[0])

    def plans(self, client_id: int) -> list[PlanRecord]:
        """A client's plans, newest first."""
        rows = self._rows("SELECT * FROM plans WHERE client_id = ? ORDER BY id DESC",
                          (client_id,))
        return [_plan(r) for r in rows]

    def delete_plan(self, plan_id: int) -> None:
        """Delete one saved plan.

        Raises:
            StoreError: if there is no such plan.
        """
        self.plan(plan_id)
        with self.transaction() as c:
            c.execute("DELETE FROM plans WHERE id = ?", (plan_id,))


def _profile(row: sqlite3.Row) -> ProfileRecord:
    return ProfileRecord(int(row["id"]), int(row["client_id"]), row["name"], row["format"],
                         row["body"], row["created_at"])


def _plan(row: sqlite3.Row) -> PlanRecord:
    pid = row["profile_id"]
    return PlanRecord(int(row["id"]), int(row["client_id"]), None if pid is None else int(pid),
                      row["name"], row["body"], row["created_at"])
