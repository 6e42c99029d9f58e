"""Tests of the saved-work SQLite store, on real files in tmp_path."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mealplan.errors import StoreError
from mealplan.store import DB_ENV, SCHEMA_VERSION, Store, default_db_path

PLAN = json.dumps({"days": [{"day": 1, "meals": []}], "verified": True})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store in a temporary file."""
    s = Store(tmp_path / "sub" / "saved.sqlite3")
    yield s
    s.close()


def test_new_database_has_schema_version(store: Store) -> None:
    """A new file is created (with its directory) and stamped with the schema version."""
    assert store.path.exists()
    assert store.schema_version == SCHEMA_VERSION == 1


def test_default_path_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """MEALPLAN_DB overrides the data-directory default."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv(DB_ENV)
    p = default_db_path()
    assert p.name == "mealplan.sqlite3" and "mealplan" in str(p.parent)


def test_client_profile_plan_round_trip(tmp_path: Path) -> None:
    """What is saved comes back after closing and reopening the file."""
    path = tmp_path / "db.sqlite3"
    with Store(path) as s:
        c = s.add_client("Ada", notes="cramps at night")
        prof = s.save_profile(c.id, "baseline", '[person]\nage = 64\n', fmt="toml")
        plan = s.save_plan(c.id, "week 1", PLAN, profile_id=prof.id)
    with Store(path) as s:
        [c2] = s.clients()
        assert (c2.name, c2.notes) == ("Ada", "cramps at night")
        assert s.latest_profile(c2.id) is not None
        assert s.profile(prof.id).data() == {"person": {"age": 64}}
        assert s.plan(plan.id).data()["verified"] is True
        assert [p.name for p in s.plans(c2.id)] == ["week 1"]
        assert s.plans(c2.id)[0].profile_id == prof.id


def test_plans_newest_first_and_compare(store: Store) -> None:
    """Several plans per client are kept, newest first."""
    c = store.add_client("Bo")
    for i in range(3):
        store.save_plan(c.id, f"plan {i}", json.dumps({"n": i}))
    assert [p.data()["n"] for p in store.plans(c.id)] == [2, 1, 0]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "client name is empty"), ("   ", "client name is empty"),
     ("x" * 201, "longer than 200")],
)
def test_bad_client_names(store: Store, name: str, message: str) -> None:
    """Empty or overlong names are refused with a clear message."""
    with pytest.raises(StoreError, match=message):
        store.add_client(name)


def test_duplicate_client_refused(store: Store) -> None:
    """Client names are unique; get_or_create_client reuses the existing one."""
    c = store.add_client("Cy")
    with pytest.raises(StoreError, match="already exists"):
        store.add_client("Cy")
    assert store.get_or_create_client(" Cy ").id == c.id


def test_unparsable_profile_and_plan_refused(store: Store) -> None:
    """Text that does not parse is refused before it is stored."""
    c = store.add_client("Di")
    with pytest.raises(StoreError, match="unreadable"):
        store.save_profile(c.id, "p", "[person\nage=", fmt="toml")
    with pytest.raises(StoreError, match="unreadable"):
        store.save_plan(c.id, "p", "{not json")
    with pytest.raises(StoreError, match="not a JSON object"):
        store.save_plan(c.id, "p", "[1, 2]")
    assert store.profiles(c.id) == [] and store.plans(c.id) == []


def test_unknown_ids(store: Store) -> None:
    """Unknown client/profile/plan ids raise StoreError naming the id."""
    with pytest.raises(StoreError, match="no saved client with id 42"):
        store.save_plan(42, "p", PLAN)
    c = store.add_client("Ed")
    with pytest.raises(StoreError, match="no saved profile with id 9"):
        store.save_plan(c.id, "p", PLAN, profile_id=9)
    with pytest.raises(StoreError, match="no saved plan with id 5"):
        store.plan(5)


def test_profile_of_other_client_refused(store: Store) -> None:
    """A plan cannot point at another client's profile."""
    a, b = store.add_client("A"), store.add_client("B")
    pa = store.save_profile(a.id, "p", "{}")
    with pytest.raises(StoreError, match="another client"):
        store.save_plan(b.id, "p", PLAN, profile_id=pa.id)


def test_exception_inside_transaction_keeps_earlier_data(tmp_path: Path) -> None:
    """An exception mid-transaction rolls back that transaction only."""
    path = tmp_path / "db.sqlite3"
    with Store(path) as s:
        c = s.add_client("Fay")
        s.save_plan(c.id, "kept", PLAN)
        with pytest.raises(RuntimeError, match="boom"), s.transaction():
            s.save_plan(c.id, "lost", PLAN)
            s.add_client("Gil")
            raise RuntimeError("boom")
        assert [p.name for p in s.plans(c.id)] == ["kept"]
    with Store(path) as s:
        assert [c.name for c in s.clients()] == ["Fay"]
        assert [p.name for p in s.plans(s.clients()[0].id)] == ["kept"]


def test_profile_and_plan_saved_together_or_not_at_all(store: Store) -> None:
    """If the plan half fails, the profile half is rolled back too."""
    c = store.add_client("Hal")
    with pytest.raises(StoreError):
        store.save_profile_and_plan(c.id, "both", "{}", "{bad json")
    assert store.profiles(c.id) == []
    prof, plan = store.save_profile_and_plan(c.id, "both", '{"a": 1}', PLAN)
    assert plan.profile_id == prof.id


def test_process_killed_mid_save_loses_nothing_saved_before(tmp_path: Path) -> None:
    """A real crash (os._exit inside an open transaction) keeps every committed row."""
    path = tmp_path / "db.sqlite3"
    with Store(path) as s:
        c = s.add_client("Ivy")
        s.save_plan(c.id, "before", PLAN)
    script = textwrap.dedent(f"""
        import os
        from mealplan.store import Store
        s = Store({str(path)!r})
        c = s.find_client("Ivy")
        with s.transaction():
            s.save_plan(c.id, "during", {PLAN!r})
            s.add_client("Jo")
            os._exit(9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == 9, proc.stderr
    with Store(path) as s:
        assert [c.name for c in s.clients()] == ["Ivy"]
        assert [p.name for p in s.plans(s.clients()[0].id)] == ["before"]


def test_delete_client_cascades(store: Store) -> None:
    """Deleting a client removes their profiles and plans."""
    c = store.add_client("Kai")
    p = store.save_profile(c.id, "p", "{}")
    store.save_plan(c.id, "x", PLAN, profile_id=p.id)
    store.delete_client(c.id)
    assert store.clients() == []
    n = sqlite3.connect(store.path).execute("SELECT count(*) FROM plans").fetchone()[0]
    assert n == 0


def test_newer_schema_refused(tmp_path: Path) -> None:
    """A file from a newer mealplan is refused rather than misread."""
    path = tmp_path / "db.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="newer mealplan"):
        Store(path)


def test_garbage_file_refused(tmp_path: Path) -> None:
    """A file that is not SQLite gives a StoreError naming the file."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not a database, just some text " * 50)
    with pytest.raises(StoreError, match=r"notes\.txt"):
        Store(path)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and "\x00" not in s),
       payload=st.dictionaries(st.text(max_size=10),
                               st.one_of(st.integers(), st.text(max_size=20), st.booleans()),
                               max_size=5))
def test_json_round_trip(store: Store, name: str, payload: dict[str, object]) -> None:
    """Any JSON profile and any client name come back unchanged."""
    c = store.get_or_create_client(name)
    prof = store.save_profile(c.id, "p", json.dumps(payload))
    assert store.profile(prof.id).data() == payload
    assert store.client(c.id).name == name.strip()


_RACER = """
import sys, time
from mealplan.store import Store
path, start, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
with Store(path) as s:
    c = s.get_or_create_client("shared")
    for i in range(20):
        s.save_plan(c.id, f"p{n}-{i}", "{}")
    s.get_or_create_client(f"own {n}")
print(c.id)
"""


def test_eight_processes_create_and_write_one_new_database(tmp_path: Path) -> None:
    """Eight processes open a new database at the same moment and race on one client name.

    Before: 5-7 of 8 failed with "table clients already exists" (schema created outside a
    write lock) and get_or_create_client gave "UNIQUE constraint failed".
    """
    import time

    db = tmp_path / "race.sqlite3"
    start = time.time() + 2.5  # after every interpreter has started
    procs = [subprocess.Popen([sys.executable, "-c", _RACER, str(db), str(start), str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(8)]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), [err for _, err, _ in results]
    assert len({out.strip() for out, _, _ in results}) == 1  # one "shared" client for all
    with Store(db) as s:
        names = sorted(c.name for c in s.clients())
        assert names == sorted(["shared", *(f"own {n}" for n in range(8))])
        shared = s.find_client("shared")
        assert shared is not None and len(s.plans(shared.id)) == 160
        assert s.schema_version == SCHEMA_VERSION


def test_read_errors_become_store_errors(tmp_path: Path) -> None:
    """A database damaged after opening gives StoreError on reads, not a raw sqlite3 error.

    Before: read methods let sqlite3.DatabaseError through (the app's Saved-work tab crashed).
    """
    db = tmp_path / "d.sqlite3"
    s = Store(db)
    s.add_client("a")
    s._conn.execute("DROP TABLE plans")  # what a damaged or foreign file looks like
    with pytest.raises(StoreError, match="cannot read saved work"):
        s.plans(1)
    with pytest.raises(StoreError, match="cannot read saved work"):
        s.plan(1)
    s.close()


def test_add_client_twice_is_a_store_error_naming_it(tmp_path: Path) -> None:
    """A duplicate name is refused inside the insert's own transaction, in plain words."""
    with Store(tmp_path / "d.sqlite3") as s:
        s.add_client("Anna")
        with pytest.raises(StoreError, match="a client named 'Anna' already exists"):
            s.add_client("Anna")
        assert s.get_or_create_client("Anna").name == "Anna"
        assert len(s.clients()) == 1
