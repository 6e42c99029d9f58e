"""Fixtures shared by the app's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saved work goes to a temporary SQLite file (``MEALPLAN_DB``), never the user's."""
    path = tmp_path / "saved.sqlite3"
    monkeypatch.setenv("MEALPLAN_DB", str(path))
    return path
