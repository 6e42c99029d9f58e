"""FoodData Central client against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import inspect
import json
import logging
import math
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from mealplan.errors import FDCError, FoodTableError
from mealplan.fdc import (
    DEFAULT_BASE_URL,
    FDCClient,
    FDCHTTPError,
    add_fdc_foods,
    fdc_to_row,
    fdc_to_rows,
    nutrients_from_fdc,
)
from mealplan.foods import ID_PATTERN, load_food_table
from mealplan.tableio import format_cell, portion_bounds, slugify
from mealplan.units import ALLERGENS

DATA = Path(__file__).parent / "data" / "fdc"
KEY = "SECRET-KEY-4f1e9c"
API = "/fdc/v1"


def fixture(name: str) -> dict[str, Any]:
    """Load one FDC-shaped JSON fixture."""
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


BANANA = "food_173944_banana_sr_legacy.json"
CHEDDAR = "food_173414_cheddar_sr_legacy.json"
FOUNDATION = "food_2515378_pumpkin_seeds_foundation.json"
BRANDED = "food_2099781_pumpkin_seeds_branded.json"


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> FDCClient:
    """A client pointed at the local server, with tiny backoff and a private cache."""
    return FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path / "cache",
                     timeout=2, retries=2, backoff=0.001)


def serve_food(httpserver: HTTPServer, name: str) -> dict[str, Any]:
    """Serve one fixture at GET /food/<id>."""
    food = fixture(name)
    httpserver.expect_request(f"{API}/food/{food['fdcId']}", method="GET").respond_with_json(food)
    return food


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# -- search ----------------------------------------------------------------------------------

def test_search_posts_query_and_maps_hits(httpserver: HTTPServer, client: FDCClient) -> None:
    """Search sends text, data types and page size as FDC's JSON body and maps each hit."""
    httpserver.expect_request(
        f"{API}/foods/search", method="POST",
        json={"query": "pumpkin seeds", "pageSize": 3,
              "dataType": ["SR Legacy", "Foundation", "Branded"]},
    ).respond_with_json(fixture("search_pumpkin_seeds.json"))
    hits = client.search("  pumpkin   seeds ", data_types=["sr legacy", "Foundation", "branded"],
                         page_size=3)
    assert [h.fdc_id for h in hits] == [170188, 2515378, 2099781]
    first = hits[0]
    assert first.description == "Seeds, pumpkin and squash seed kernels, dried"
    assert first.data_type == "SR Legacy"
    assert first.food_category == "Nut and Seed Products"
    assert first.nutrients["magnesium_mg"] == 592
    assert first.nutrients["mk4_ug"] == 0.0  # "UG" in search results is µg
    assert hits[1].nutrients["energy_kcal"] == 563  # Atwater specific energy (no 208)
    assert hits[2].brand_owner == "Example Snacks Co."


def test_search_rejects_bad_arguments_without_a_request(httpserver: HTTPServer,
                                                        client: FDCClient) -> None:
    """Empty text, a page size out of range and an unknown data type fail before any call."""
    for kwargs, needle in (({"text": " "}, "empty"),
                           ({"text": "milk", "page_size": 0}, "page size"),
                           ({"text": "milk", "data_types": ["Legacy"]}, "unknown data type")):
        with pytest.raises(FDCError, match=needle):
            client.search(**kwargs)  # type: ignore[arg-type]
    assert httpserver.log == []


def test_search_incomplete_answer(httpserver: HTTPServer, client: FDCClient) -> None:
    """A search answer without a foods list, or a hit without an id, is an FDCError."""
    httpserver.expect_oneshot_request(f"{API}/foods/search").respond_with_json({"totalHits": 0})
    with pytest.raises(FDCError, match="no 'foods' list"):
        client.search("milk")
    httpserver.expect_oneshot_request(f"{API}/foods/search").respond_with_json(
        {"foods": [{"description": "Milk"}]})
    with pytest.raises(FDCError, match="hit 1 has no fdcId"):
        client.search("milk")


# -- fetch ---------------------------------------------------------------------------------

def test_get_one_food_sends_key_in_header_only(httpserver: HTTPServer,
                                               client: FDCClient) -> None:
    """GET /food/<id>?format=full with the key in X-Api-Key, never in the URL."""
    serve_food(httpserver, BANANA)
    food = client.get_food(173944)
    assert food["description"] == "Bananas, raw"
    (req, _resp), = httpserver.log
    assert req.headers["X-Api-Key"] == KEY
    assert req.args["format"] == "full"
    assert KEY not in req.url


def test_get_many_foods_posts_ids_in_order(httpserver: HTTPServer, client: FDCClient) -> None:
    """Several IDs go in one POST /foods; results come back in the order asked, deduplicated."""
    httpserver.expect_request(
        f"{API}/foods", method="POST", json={"fdcIds": [173414, 173944], "format": "full"},
    ).respond_with_json([fixture(BANANA), fixture(CHEDDAR)])  # server order differs
    foods = client.get_foods(["173414", 173944, 173414])
    assert [f["fdcId"] for f in foods] == [173414, 173944]


def test_cache_hit_makes_no_request(httpserver: HTTPServer, client: FDCClient,
                                    tmp_path: Path) -> None:
    """The second fetch of a food, even by a new client, is served from the disk cache."""
    serve_food(httpserver, BANANA)
    client.get_food(173944)
    assert len(httpserver.log) == 1
    again = FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path / "cache")
    assert again.get_food(173944)["description"] == "Bananas, raw"
    assert client.get_food(173944)["fdcId"] == 173944
    assert len(httpserver.log) == 1
    assert again.requests_made == 0
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["food-173944.json"]


def test_cache_mixes_with_batch_fetch(httpserver: HTTPServer, client: FDCClient) -> None:
    """Only foods missing from the cache are requested."""
    serve_food(httpserver, BANANA)
    client.get_food(173944)
    serve_food(httpserver, CHEDDAR)
    foods = client.get_foods([173944, 173414])
    assert [f["fdcId"] for f in foods] == [173944, 173414]
    assert [r.path for r, _ in httpserver.log] == [f"{API}/food/173944", f"{API}/food/173414"]


def test_damaged_cache_entry_is_refetched(httpserver: HTTPServer, client: FDCClient,
                                          tmp_path: Path) -> None:
    """A truncated cache file is ignored and replaced by a fresh copy."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "food-173944.json").write_text('{"fdcId": 173944, "descr', encoding="utf-8")
    serve_food(httpserver, BANANA)
    assert client.get_food(173944)["description"] == "Bananas, raw"
    assert json.loads((cache / "food-173944.json").read_text())["fdcId"] == 173944


def test_environment_configures_key_url_and_cache(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """FDC_API_KEY, FDC_BASE_URL and MEALPLAN_CACHE_DIR are honoured; DEMO_KEY is the fallback."""
    monkeypatch.setenv("FDC_BASE_URL", "http://127.0.0.1:9/fdc/v1/")
    monkeypatch.setenv("MEALPLAN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("FDC_API_KEY", raising=False)
    c = FDCClient()
    assert c.base_url == "http://127.0.0.1:9/fdc/v1"
    assert c.cache_dir == tmp_path / "fdc"
    assert c.using_demo_key
    monkeypatch.setenv("FDC_API_KEY", KEY)
    monkeypatch.delenv("FDC_BASE_URL")
    c = FDCClient()
    assert not c.using_demo_key
    assert c.base_url == DEFAULT_BASE_URL
    assert KEY not in repr(c)


# -- failures ------------------------------------------------------------------------------

def test_connection_refused(tmp_path: Path) -> None:
    """Nothing listening: a one-line FDCError telling the user to check the network."""
    c = FDCClient(api_key=KEY, base_url=f"http://127.0.0.1:{free_port()}/fdc/v1",
                  cache_dir=tmp_path, retries=1, backoff=0.001)
    with pytest.raises(FDCError, match="cannot reach FoodData Central") as err:
        c.get_food(173944)
    assert "FDC ID 173944" in str(err.value)
    assert "\n" not in str(err.value)
    assert KEY not in str(err.value)


def test_timeout(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A server slower than the client's timeout gives an FDCError naming the timeout."""
    def slow(_request: Request) -> Response:
        time.sleep(0.6)
        return Response(json.dumps(fixture(BANANA)), content_type="application/json")

    httpserver.expect_request(f"{API}/food/173944").respond_with_handler(slow)
    c = FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path,
                  timeout=0.2, retries=2, backoff=0.001)
    start = time.monotonic()
    with pytest.raises(FDCError, match=r"did not answer within 0.2 s") as err:
        c.get_food(173944)
    assert time.monotonic() - start < 0.55  # not retried
    assert KEY not in str(err.value)


def test_403_bad_key_is_redacted(httpserver: HTTPServer, client: FDCClient) -> None:
    """A refused key says what to do, and the key never appears even if the server echoes it."""
    httpserver.expect_request(f"{API}/food/173944").respond_with_json(
        {"error": {"code": "API_KEY_INVALID",
                   "message": f"An invalid api_key ({KEY}) was supplied."}}, status=403)
    with pytest.raises(FDCHTTPError) as err:
        client.get_food(173944)
    msg = str(err.value)
    assert err.value.status == 403
    assert "HTTP 403" in msg and "FDC_API_KEY" in msg and "api-key-signup" in msg
    assert KEY not in msg
    assert "***" in msg


def test_404_unknown_fdc_id(httpserver: HTTPServer, client: FDCClient) -> None:
    """An unknown ID on GET /food/<id> names the ID and how to find a valid one."""
    httpserver.expect_request(f"{API}/food/999999999").respond_with_data("Not found", status=404)
    with pytest.raises(FDCError, match=r"FDC ID 999999999: unknown food .*fdc-search"):
        client.get_food(999999999)


def test_unknown_id_in_batch(httpserver: HTTPServer, client: FDCClient) -> None:
    """POST /foods leaves unknown IDs out; the client names them."""
    httpserver.expect_request(f"{API}/foods", method="POST").respond_with_json([fixture(BANANA)])
    with pytest.raises(FDCError, match=r"unknown FDC ID 42 "):
        client.get_foods([173944, 42])


def test_malformed_id_is_rejected_before_any_request(httpserver: HTTPServer,
                                                     client: FDCClient) -> None:
    """'abc' or 0 is not an FDC ID."""
    for bad in ("abc", "0", "-5", "12.5"):
        with pytest.raises(FDCError, match="is not an FDC ID"):
            client.get_foods([bad])
    assert httpserver.log == []


def test_429_with_retry_after_then_success(httpserver: HTTPServer, client: FDCClient) -> None:
    """A 429 is retried after the server's Retry-After (1 s here; the backoff is 1 ms)."""
    httpserver.expect_ordered_request(f"{API}/food/173944").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request(f"{API}/food/173944").respond_with_json(fixture(BANANA))
    start = time.monotonic()
    assert client.get_food(173944)["fdcId"] == 173944
    assert time.monotonic() - start >= 0.9
    assert len(httpserver.log) == 2


def test_retry_after_is_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A huge Retry-After is capped by max_retry_after; an unreadable one falls back to backoff."""
    httpserver.expect_ordered_request(f"{API}/food/173944").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_ordered_request(f"{API}/food/173944").respond_with_data(
        "", status=503, headers={"Retry-After": "soon"})
    httpserver.expect_ordered_request(f"{API}/food/173944").respond_with_json(fixture(BANANA))
    c = FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path,
                  retries=3, backoff=0.001, max_retry_after=0.1)
    start = time.monotonic()
    assert c.get_food(173944)["fdcId"] == 173944
    assert time.monotonic() - start < 2


def test_429_forever_suggests_own_key(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Still rate-limited after the retries: the message says so and suggests a key."""
    httpserver.expect_request(f"{API}/food/173944").respond_with_data(
        "", status=429, headers={"Retry-After": "0"})
    c = FDCClient(api_key="DEMO_KEY", base_url=httpserver.url_for(API), cache_dir=tmp_path,
                  retries=1, backoff=0.001)
    with pytest.raises(FDCError, match=r"HTTP 429 .*rate limit.*FDC_API_KEY"):
        c.get_food(173944)


def test_5xx_then_success(httpserver: HTTPServer, client: FDCClient) -> None:
    """A 502 then a 200: the retry answers."""
    httpserver.expect_ordered_request(f"{API}/foods/search").respond_with_data("", status=502)
    httpserver.expect_ordered_request(f"{API}/foods/search").respond_with_json(
        fixture("search_pumpkin_seeds.json"))
    assert len(client.search("pumpkin seeds")) == 3
    assert len(httpserver.log) == 2


def test_5xx_forever(httpserver: HTTPServer, client: FDCClient) -> None:
    """Always 500: retries run out (1 + 2 attempts) and an FDCError names the status."""
    httpserver.expect_request(f"{API}/food/173944").respond_with_data("boom", status=500)
    with pytest.raises(FDCError, match=r"FDC ID 173944: HTTP 500 .*after retrying"):
        client.get_food(173944)
    assert len(httpserver.log) == 3


def test_other_4xx(httpserver: HTTPServer, client: FDCClient) -> None:
    """A 400 is not retried and is reported with the server's message."""
    httpserver.expect_request(f"{API}/foods/search").respond_with_json(
        {"message": "pageSize must be <= 200"}, status=400)
    with pytest.raises(FDCError, match=r"HTTP 400: pageSize must be <= 200"):
        client.search("milk")
    assert len(httpserver.log) == 1


def test_malformed_json(httpserver: HTTPServer, client: FDCClient, tmp_path: Path) -> None:
    """A body that is not JSON is an FDCError, and nothing is cached."""
    httpserver.expect_request(f"{API}/food/173944").respond_with_data(
        '{"fdcId": 173944, "descrip', content_type="application/json")
    with pytest.raises(FDCError, match="malformed answer"):
        client.get_food(173944)
    assert not (tmp_path / "cache" / "food-173944.json").exists()


@pytest.mark.parametrize("drop", ["foodNutrients", "description", "fdcId"])
def test_partial_food(httpserver: HTTPServer, client: FDCClient, tmp_path: Path,
                      drop: str) -> None:
    """A food missing a key part is an FDCError naming the ID and the part; nothing cached."""
    food = fixture(BANANA)
    del food[drop]
    httpserver.expect_request(f"{API}/food/173944").respond_with_json(food)
    with pytest.raises(FDCError, match=f"FDC ID 173944: incomplete food .*{drop}"):
        client.get_food(173944)
    assert not (tmp_path / "cache" / "food-173944.json").exists()


def test_partial_batch_answer(httpserver: HTTPServer, client: FDCClient) -> None:
    """A batch answer holding an object without fdcId is incomplete, not 'unknown ID'."""
    httpserver.expect_request(f"{API}/foods", method="POST").respond_with_json(
        [fixture(BANANA), {"description": "Cheese, cheddar"}])
    with pytest.raises(FDCError, match="food 2 of the answer has no fdcId"):
        client.get_foods([173944, 173414])


def test_key_never_logged(httpserver: HTTPServer, client: FDCClient,
                          caplog: pytest.LogCaptureFixture) -> None:
    """Debug logs (ours and urllib3's) never carry the key."""
    caplog.set_level(logging.DEBUG)
    serve_food(httpserver, BANANA)
    client.get_food(173944)
    assert "food/173944" in caplog.text
    assert KEY not in caplog.text


# -- mapping -------------------------------------------------------------------------------

def test_sr_legacy_row() -> None:
    """SR Legacy banana: slug id, source, SR28 values, Seq-first household portion."""
    row = fdc_to_row(fixture(BANANA))
    assert row["id"] == "bananas_raw_fdc_173944"
    assert row["name"] == "Bananas, raw"
    assert row["source"] == "FDC 173944"
    assert row["ndb_number"] == "09040"
    assert row["food_group"] == "Fruits and Fruit Juices"
    assert row["magnesium_mg"] == 27 and row["potassium_mg"] == 358
    assert row["energy_kcal"] == 89  # 208 kcal, not 268 kJ
    assert row["portion_name"] == "1 cup, mashed (225 g)" and row["portion_g"] == 225
    assert row["min_portions"] == 1 and row["max_portions"] == 2
    assert row["mk4_ug"] is None and row["k2_ug"] is None and row["k2_source"] == ""
    assert row["diet_tags"] == ""  # unknown: diet filters exclude it
    assert set(str(row["allergens"]).split(";")) == ALLERGENS  # unknown: never "allergen-free"


def test_mk4_becomes_k2_with_source() -> None:
    """Cheddar's MK-4 (428) fills mk4_ug and k2_ug, and k2_source says it is MK-4 only."""
    row = fdc_to_row(fixture(CHEDDAR))
    assert row["mk4_ug"] == 8.6 and row["k2_ug"] == 8.6
    assert "MK-4" in str(row["k2_source"]) and "FDC 173414" in str(row["k2_source"])
    assert row["vitamin_k1_ug"] == 2.4
    assert row["portion_name"] == "1 cup, diced (132 g)"


def test_foundation_fallbacks_and_measure_unit() -> None:
    """Foundation: Atwater energy, 269.3 sugars, a real measure unit; missing stays unknown."""
    row = fdc_to_row(fixture(FOUNDATION))
    assert row["energy_kcal"] == 563  # 958 preferred over 957
    assert row["sugars_g"] == 1.29
    assert row["portion_name"] == "1 cup (129 g)" and row["portion_g"] == 129
    assert row["carbs_g"] is None and row["vitamin_d_ug"] is None
    assert row["ndb_number"] == ""


def test_branded_serving_and_brand() -> None:
    """Branded: brand in the name, serving size as the portion, category from the brand data."""
    row = fdc_to_row(fixture(BRANDED))
    assert row["name"] == "ROASTED & SALTED PUMPKIN SEEDS (Example Snacks Co.)"
    assert row["id"] == "roasted_salted_pumpkin_seeds_fdc_2099781"
    assert row["portion_name"] == "1/4 cup (28 g)" and row["portion_g"] == 28
    assert row["food_group"] == "Popcorn, Peanuts, Seeds & Related Snacks"
    assert row["max_portions"] == 8


def test_survey_portion_description_and_grams_fallback() -> None:
    """FNDDS portions use portionDescription (numeric modifier codes ignored); none -> grams."""
    food = fixture(BANANA)
    food["dataType"] = "Survey (FNDDS)"
    food["foodPortions"] = [
        {"portionDescription": "Quantity not specified", "gramWeight": 118, "modifier": "90000",
         "sequenceNumber": 1, "measureUnit": {"id": 9999, "name": "undetermined"}},
        {"portionDescription": "1 small", "gramWeight": 101, "modifier": "10205",
         "sequenceNumber": 2, "measureUnit": {"id": 9999, "name": "undetermined"}},
    ]
    assert fdc_to_row(food)["portion_name"] == "1 small (101 g)"
    food["foodPortions"] = [{"amount": 1, "modifier": "pie", "gramWeight": 950.0,
                             "sequenceNumber": 1}]  # too heavy to be a planning unit
    row = fdc_to_row(food)
    assert (row["portion_name"], row["portion_g"]) == ("g", 1.0)
    assert (row["min_portions"], row["max_portions"]) == (10.0, 500.0)


def test_vitamin_d_from_iu_when_ug_missing() -> None:
    """Vitamin D in IU (324) converts at 40 IU per µg when 328 is absent."""
    food = fixture(CHEDDAR)
    food["foodNutrients"] = [n for n in food["foodNutrients"] if n["nutrient"]["number"] != "328"]
    assert nutrients_from_fdc(food)["vitamin_d_ug"] == pytest.approx(24 / 40)


def test_missing_nutrients_are_errors() -> None:
    """No usable nutrient, or no energy, is an FDCError naming the ID."""
    food = fixture(BANANA)
    food["foodNutrients"] = []
    with pytest.raises(FDCError, match="FDC ID 173944: none of the nutrients"):
        fdc_to_row(food)
    food = fixture(BANANA)
    food["foodNutrients"] = [n for n in food["foodNutrients"]
                             if n["nutrient"]["number"] not in ("208",)]
    with pytest.raises(FDCError, match="no energy"):
        fdc_to_row(food)


def test_bad_nutrient_values_are_errors() -> None:
    """A negative value or a wrong unit is an FDCError naming nutrient and column."""
    food = fixture(BANANA)
    for n in food["foodNutrients"]:
        if n["nutrient"]["number"] == "304":
            n["amount"] = -1
    with pytest.raises(FDCError, match=r"nutrient 304 \(magnesium_mg\)"):
        fdc_to_row(food)
    food = fixture(BANANA)
    for n in food["foodNutrients"]:
        if n["nutrient"]["number"] == "306":
            n["nutrient"]["unitName"] = "g"
    with pytest.raises(FDCError, match="unit 'g' where 'mg'"):
        fdc_to_row(food)


def test_nutrient_listed_without_amount_is_unknown() -> None:
    """An entry without an amount is unknown (empty), not zero."""
    food = fixture(BANANA)
    for n in food["foodNutrients"]:
        if n["nutrient"]["number"] == "304":
            del n["amount"]
    row = fdc_to_row(food)
    assert row["magnesium_mg"] is None
    assert not math.isnan(float(row["potassium_mg"] or 0))


def test_fdc_to_rows_accepts_one_or_many() -> None:
    """fdc_to_rows maps a list, or a single food."""
    assert len(fdc_to_rows([fixture(BANANA), fixture(CHEDDAR)])) == 2
    assert fdc_to_rows(fixture(BANANA))[0]["id"] == "bananas_raw_fdc_173944"


# -- adding to a table ---------------------------------------------------------------------

def test_add_creates_table_that_loads(httpserver: HTTPServer, client: FDCClient,
                                      tmp_path: Path) -> None:
    """fdc-add creates a valid table; a second add appends; values survive the round trip."""
    table = tmp_path / "my_foods.csv"
    serve_food(httpserver, BANANA)
    add_fdc_foods([173944], table, client)
    serve_food(httpserver, CHEDDAR)
    add_fdc_foods(["173414"], table, client)
    loaded = load_food_table(table)
    assert loaded.ids == ["bananas_raw_fdc_173944", "cheese_cheddar_fdc_173414"]
    assert loaded.value("cheese_cheddar_fdc_173414", "k2_ug") == 8.6
    assert math.isnan(loaded.value("bananas_raw_fdc_173944", "k2_ug"))
    assert loaded.row("bananas_raw_fdc_173944")["portion_g"] == 225
    # no temp file left; the sidecar lock file (see mealplan.fileio.locked) stays by design
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [
        ".my_foods.csv.lock", "my_foods.csv"]


def test_add_to_existing_user_table_keeps_its_rows(httpserver: HTTPServer, client: FDCClient,
                                                    tmp_path: Path) -> None:
    """A user's minimal table (no portion columns) gets the new columns; old rows keep grams."""
    table = tmp_path / "mine.csv"
    table.write_text("id,name,energy_kcal,magnesium_mg,price_per_100g\n"
                     "my_granola,My granola,450,120,1.2\n", encoding="utf-8")
    serve_food(httpserver, BANANA)
    add_fdc_foods([173944], table, client)
    loaded = load_food_table(table)
    assert loaded.ids == ["my_granola", "bananas_raw_fdc_173944"]
    granola = loaded.row("my_granola")
    assert (granola["portion_name"], granola["portion_g"]) == ("g", 1.0)
    assert (granola["min_portions"], granola["max_portions"]) == (10.0, 500.0)
    assert granola["price_per_100g"] == 1.2
    assert loaded.value("bananas_raw_fdc_173944", "potassium_mg") == 358


def test_id_already_in_table_is_an_error(httpserver: HTTPServer, client: FDCClient,
                                         tmp_path: Path) -> None:
    """Adding the same food twice fails naming the id, and the file is unchanged."""
    table = tmp_path / "my_foods.csv"
    serve_food(httpserver, BANANA)
    add_fdc_foods([173944], table, client)
    before = table.read_bytes()
    with pytest.raises(FoodTableError, match="'bananas_raw_fdc_173944' is already in the table"):
        add_fdc_foods([173944], table, client)
    assert table.read_bytes() == before


@pytest.mark.parametrize("failure", ["500", "partial", "no-energy"])
def test_failed_add_leaves_table_unchanged(httpserver: HTTPServer, client: FDCClient,
                                           tmp_path: Path, failure: str) -> None:
    """If any food fails (server error, partial JSON, unusable food), nothing is written."""
    table = tmp_path / "my_foods.csv"
    serve_food(httpserver, CHEDDAR)
    add_fdc_foods([173414], table, client)
    before = table.read_bytes()
    banana = fixture(BANANA)
    if failure == "500":
        httpserver.expect_request(f"{API}/foods", method="POST").respond_with_data("", status=500)
    else:
        if failure == "partial":
            del banana["foodNutrients"]
        else:
            banana["foodNutrients"] = banana["foodNutrients"][:1]  # water only
        httpserver.expect_request(f"{API}/foods", method="POST").respond_with_json(
            [banana, fixture(CHEDDAR) | {"fdcId": 555}])
    with pytest.raises(FDCError):
        add_fdc_foods([173944, 555], table, client)
    assert table.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in (
        "cache", ".my_foods.csv.lock")) == ["my_foods.csv"]


def test_add_to_invalid_table_is_refused(httpserver: HTTPServer, client: FDCClient,
                                         tmp_path: Path) -> None:
    """An existing table that does not validate is reported, not rewritten."""
    table = tmp_path / "bad.csv"
    table.write_text("id,name,energy_kcal\nBad Id,x,-3\n", encoding="utf-8")
    serve_food(httpserver, BANANA)
    before = table.read_bytes()
    with pytest.raises(FoodTableError, match="malformed id"):
        add_fdc_foods([173944], table, client)
    assert table.read_bytes() == before


# -- helpers (tableio) ---------------------------------------------------------------------

@given(st.text(max_size=80))
def test_slugify_always_gives_a_valid_id(text: str) -> None:
    """Any description becomes a valid food-id slug of at most 48 characters."""
    slug = slugify(text)
    assert ID_PATTERN.match(slug) and len(slug) <= 48


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_format_cell_round_trips_floats(x: float) -> None:
    """A value written to the CSV reads back to (nearly) the same float; 0 stays 0."""
    assert float(format_cell(x)) == pytest.approx(x, rel=1e-9, abs=1e-12)
    assert format_cell(None) == "" and format_cell(math.nan) == ""


def test_portion_bounds() -> None:
    """At least 1 portion, at most about 300 g within 2..8; grams keep the loader defaults."""
    assert portion_bounds(118) == (1.0, 3.0)
    assert portion_bounds(244) == (1.0, 2.0)
    assert portion_bounds(14) == (1.0, 8.0)
    assert portion_bounds(1.0) == (10.0, 500.0)


# -- transport hardening (issue 11) -----------------------------------------------------------

def test_api_key_not_sent_across_a_redirect_to_another_host(httpserver: HTTPServer,
                                                           client: FDCClient) -> None:
    """A redirect to another host gets no X-Api-Key (requests strips only Authorization).

    Before: the key followed the redirect to whatever host the answer named.
    """
    here = httpserver.url_for("/elsewhere")
    other = (here.replace("localhost", "127.0.0.1") if "localhost" in here
             else here.replace("127.0.0.1", "localhost"))  # the same server, another host
    seen: list[str | None] = []

    def elsewhere(request: Request) -> Response:
        seen.append(request.headers.get("X-Api-Key"))
        return Response(json.dumps(fixture(BANANA)), content_type="application/json")

    httpserver.expect_request(f"{API}/food/173944").respond_with_response(
        Response("", status=302, headers={"Location": other}))
    httpserver.expect_request("/elsewhere").respond_with_handler(elsewhere)
    assert client.get_food(173944)["fdcId"] == 173944
    assert seen == [None]


def test_same_host_redirect_keeps_the_key(httpserver: HTTPServer, client: FDCClient) -> None:
    """A redirect on the API's own host keeps the key (the API moves paths, not secrets)."""
    seen: list[str | None] = []

    def moved(request: Request) -> Response:
        seen.append(request.headers.get("X-Api-Key"))
        return Response(json.dumps(fixture(BANANA)), content_type="application/json")

    httpserver.expect_request(f"{API}/food/173944").respond_with_response(
        Response("", status=302, headers={"Location": httpserver.url_for("/moved")}))
    httpserver.expect_request("/moved").respond_with_handler(moved)
    client.get_food(173944)
    assert seen == [KEY]


def test_slowly_dripping_answer_is_cut_at_the_deadline(httpserver: HTTPServer,
                                                       tmp_path: Path) -> None:
    """A body that trickles in (each piece within the read timeout) stops at the deadline.

    Before: 46 s for a 10 s timeout, since every piece reset the read timeout.
    """
    def drip(request: Request) -> Response:
        def body() -> Any:
            yield b"{"
            for _ in range(100):
                time.sleep(0.1)
                yield b" "
        return Response(body(), content_type="application/json")

    httpserver.expect_request(f"{API}/food/173944").respond_with_handler(drip)
    c = FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path,
                  timeout=2, retries=0, deadline=1.0)
    start = time.monotonic()
    with pytest.raises(FDCError, match="longer than 1 s in all"):
        c.get_food(173944)
    assert time.monotonic() - start < 3


def test_huge_answer_is_refused_at_the_size_cap(httpserver: HTTPServer, tmp_path: Path) -> None:
    """An answer above max_body is cut off, not read whole (before: 300 MB read, 740 MB RAM)."""
    httpserver.expect_request(f"{API}/food/173944").respond_with_data(
        b"[" + b"0," * 1_000_000 + b"0]", content_type="application/json")
    c = FDCClient(api_key=KEY, base_url=httpserver.url_for(API), cache_dir=tmp_path,
                  timeout=2, retries=0, max_body=1024 * 1024)
    with pytest.raises(FDCError, match="larger than 1 MB"):
        c.get_food(173944)


def test_retry_after_default_cap_is_short(httpserver: HTTPServer, tmp_path: Path) -> None:
    """By default a Retry-After of an hour waits at most 5 s per retry (before: 30 s, 91 s)."""
    assert inspect.signature(FDCClient).parameters["max_retry_after"].default <= 5


@pytest.mark.parametrize("key", ["ключ", "key with space", "key\r\nX-Evil: 1"])
def test_unusable_api_key_is_an_fdc_error(key: str, tmp_path: Path) -> None:
    """A key no HTTP header can carry is an FDCError at once (before: a UnicodeEncodeError)."""
    with pytest.raises(FDCError, match="API key"):
        FDCClient(api_key=key, base_url="http://127.0.0.1:9", cache_dir=tmp_path)


def test_server_formula_name_is_made_inert() -> None:
    """A server-supplied name starting with '=' goes into the user's table quoted ("'=...")."""
    food = fixture(BANANA) | {"description": "=HYPERLINK(\"http://x\",\"y\")",
                              "foodCategory": {"description": "@SUM(A1)"}}
    row = fdc_to_row(food)
    assert row["name"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert row["food_group"] == "'@SUM(A1)"


def test_absurd_fdc_value_is_refused_naming_the_nutrient() -> None:
    """1e308 mg of magnesium per 100 g is refused (before: written to the table, solver crash)."""
    food = fixture(BANANA)
    for e in food["foodNutrients"]:
        if e["nutrient"]["number"] == "304":
            e["amount"] = 1e308
    with pytest.raises(FDCError, match=r"nutrient 304 \(magnesium_mg\).*above 100000 mg"):
        fdc_to_row(food)
