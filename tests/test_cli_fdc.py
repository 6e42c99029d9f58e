"""``mealplan foods fdc-search | fdc-add | import-sr28`` through the real CLI entry point."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mealplan.cli import main
from mealplan.foods import load_food_table

DATA = Path(__file__).parent / "data"
API = "/fdc/v1"
KEY = "CLI-SECRET-KEY-77"


def fixture(name: str) -> Any:
    """One FDC-shaped JSON fixture."""
    return json.loads((DATA / "fdc" / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def fdc_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, httpserver: HTTPServer) -> None:
    """Point the CLI's FDC client at the local server, with a private cache and a key."""
    monkeypatch.setenv("FDC_BASE_URL", httpserver.url_for(API))
    monkeypatch.setenv("MEALPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FDC_API_KEY", KEY)


def test_fdc_search_prints_hits(httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]) -> None:
    """fdc-search prints id, type and per-100 g values, and sends the chosen data type."""
    httpserver.expect_request(
        f"{API}/foods/search", method="POST",
        json={"query": "pumpkin seeds", "pageSize": 3, "dataType": ["SR Legacy"]},
    ).respond_with_json(fixture("search_pumpkin_seeds.json"))
    code = main(["foods", "fdc-search", "pumpkin seeds", "--data-type", "SR Legacy", "-n", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "170188" in out and "Seeds, pumpkin and squash seed kernels, dried" in out
    assert "592" in out  # magnesium mg per 100 g
    assert "(Example Snacks Co.)" in out
    assert "fdc-add 170188" in out


def test_fdc_search_bad_data_type_is_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --data-type is refused by the parser (exit 2) with the choices."""
    with pytest.raises(SystemExit) as exc:
        main(["foods", "fdc-search", "milk", "--data-type", "Legacy"])
    assert exc.value.code == 2
    assert "SR Legacy" in capsys.readouterr().err


def test_fdc_add_then_clash(httpserver: HTTPServer, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """fdc-add creates the table; adding the same food again exits 2 naming the id."""
    httpserver.expect_request(f"{API}/foods", method="POST").respond_with_json(
        [fixture("food_173944_banana_sr_legacy.json"),
         fixture("food_173414_cheddar_sr_legacy.json")])
    table = tmp_path / "my_foods.csv"
    assert main(["foods", "fdc-add", "173944", "173414", "--table", str(table)]) == 0
    out = capsys.readouterr().out
    assert "added bananas_raw_fdc_173944: Bananas, raw [1 cup, mashed (225 g)]" in out
    assert "2 foods added" in out
    assert load_food_table(table).ids == ["bananas_raw_fdc_173944", "cheese_cheddar_fdc_173414"]
    before = table.read_bytes()
    assert main(["foods", "fdc-add", "173944", "--table", str(table)]) == 2  # from the cache
    err = capsys.readouterr().err
    assert "'bananas_raw_fdc_173944' is already in the table" in err
    assert "Traceback" not in err
    assert table.read_bytes() == before


def test_fdc_add_offline_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """No network: one clear line on stderr, exit 2, no table written, no key shown."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("FDC_BASE_URL", f"http://127.0.0.1:{port}/fdc/v1")
    table = tmp_path / "my_foods.csv"
    assert main(["foods", "fdc-add", "173944", "--table", str(table)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: FDC ID 173944: cannot reach")
    assert KEY not in err
    assert not table.exists()


def test_fdc_add_bad_id_and_bad_key(httpserver: HTTPServer, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed ID and a refused key are one-line errors with exit 2."""
    table = tmp_path / "t.csv"
    assert main(["foods", "fdc-add", "banana", "--table", str(table)]) == 2
    assert "'banana' is not an FDC ID" in capsys.readouterr().err
    httpserver.expect_request(f"{API}/food/173944").respond_with_json(
        {"error": {"code": "API_KEY_INVALID", "message": f"bad key {KEY}"}}, status=403)
    assert main(["foods", "fdc-add", "173944", "--table", str(table)]) == 2
    err = capsys.readouterr().err
    assert "HTTP 403" in err and "FDC_API_KEY" in err and KEY not in err
    assert not table.exists()


def test_import_sr28_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """import-sr28 writes a loadable table and reports what it left out and why."""
    out = tmp_path / "sr28.csv"
    assert main(["foods", "import-sr28", str(DATA / "sr28_excerpt"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "wrote 14 of 23 SR28 foods" in text
    assert "alcoholic drink" in text and "--include-all" in text
    assert len(load_food_table(out)) == 14
    assert main(["foods", "import-sr28", str(DATA / "sr28_excerpt"), "--out", str(out),
                 "--include-all", "--skip-shipped"]) == 0
    text = capsys.readouterr().out
    assert "already in the shipped table" in text  # natto, bananas, ... are shipped
    assert not load_food_table(out).has("natto_16113")


def test_import_sr28_bad_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that is not an SR28 release: exit 2, message names the missing file."""
    (tmp_path / "empty").mkdir()
    assert main(["foods", "import-sr28", str(tmp_path / "empty"), "--out",
                 str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "FD_GROUP.txt" in err and "file not found" in err
    assert not (tmp_path / "x.csv").exists()


def test_user_table_from_fdc_add_is_usable_by_foods_show(
        httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table made by fdc-add works with the other foods commands (--table)."""
    httpserver.expect_request(f"{API}/food/173414").respond_with_json(
        fixture("food_173414_cheddar_sr_legacy.json"))
    table = tmp_path / "mine.csv"
    assert main(["foods", "fdc-add", "173414", "--table", str(table)]) == 0
    capsys.readouterr()
    assert main(["foods", "show", "cheese_cheddar_fdc_173414", "--table", str(table)]) == 0
    out = capsys.readouterr().out
    assert "FDC 173414" in out and "MK-4" in out


def test_plan_with_clashing_user_table_names_the_id(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`mealplan plan --table A --table B`: an id in the shipped table and a user's is exit 2."""
    mine = tmp_path / "mine.csv"
    mine.write_text("id,name,energy_kcal\nnatto,My natto,200\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("id,name,energy_kcal\nmy_bread,Bread,250\n", encoding="utf-8")
    assert main(["plan", "--table", str(other), "--table", str(mine)]) == 2
    err = capsys.readouterr().err
    assert "food id 'natto' is in both" in err and "mine.csv" in err
    assert "Traceback" not in err


def test_eight_concurrent_fdc_adds_keep_every_row(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Eight `fdc-add` processes into one table at once: all eight rows survive.

    Before the lock (mealplan.fileio.locked) each process read the table, added its row and
    replaced the file, so only 2-4 of the 8 rows survived although all printed "1 food added".
    """
    import os
    import subprocess
    import sys

    banana = fixture("food_173944_banana_sr_legacy.json")
    ids = list(range(900001, 900009))
    for fid in ids:
        httpserver.expect_request(f"{API}/food/{fid}", method="GET").respond_with_json(
            banana | {"fdcId": fid, "description": f"Banana number {fid}"})
    table = tmp_path / "mine.csv"
    env = {**os.environ, "FDC_BASE_URL": httpserver.url_for(API), "FDC_API_KEY": KEY,
           "MEALPLAN_CACHE_DIR": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-m", "mealplan.cli", "foods", "fdc-add",
                               str(fid), "--table", str(table)], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for fid in ids]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    assert sorted(load_food_table(table).ids) == sorted(
        f"banana_number_{fid}_fdc_{fid}" for fid in ids)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [
        ".mine.csv.lock", "mine.csv"]


def test_fdc_add_refuses_symlinked_table_before_fetching(httpserver: HTTPServer,
                                                         tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """`fdc-add --table LINK` is refused before any request; the link and its target stay."""
    real = tmp_path / "real.csv"
    real.write_text("id,name,energy_kcal\nmy_a,A,1\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert main(["foods", "fdc-add", "173944", "--table", str(link)]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
    assert link.is_symlink() and real.read_text(encoding="utf-8").endswith("my_a,A,1\n")
    assert httpserver.log == []
