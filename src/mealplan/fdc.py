"""FoodData Central (FDC) client: search, fetch, cache, and turn FDC foods into table rows.

The USDA FoodData Central API (https://api.nal.usda.gov/fdc/v1) is used through three
endpoints, as documented by FDC:

- ``POST /foods/search`` with ``{"query", "dataType": [...], "pageSize"}`` -> ``{"foods":
  [{"fdcId", "description", "dataType", "foodNutrients": [{"nutrientNumber", "value",
  "unitName"}, ...]}, ...]}`` (nutrient values per 100 g);
- ``GET /food/{fdcId}?format=full`` -> one food (404 when the FDC ID is unknown);
- ``POST /foods`` with ``{"fdcIds": [...], "format": "full"}`` -> a list of foods (unknown
  IDs are simply left out; at most 20 IDs per request).

A full food carries ``foodNutrients: [{"nutrient": {"number": "304", "unitName": "mg"},
"amount": 95.0}, ...]`` (per 100 g; ``nutrient.number`` is the SR28 ``Nutr_No``) and
``foodPortions: [{"amount", "modifier", "measureUnit": {"name"}, "portionDescription",
"gramWeight", "sequenceNumber"}, ...]``. SR Legacy portions put the household measure in
``modifier`` ("medium (7\\" to 7-7/8\\" long)") with measure unit "undetermined"; Survey
(FNDDS) portions put it in ``portionDescription`` and a numeric code in ``modifier``;
Foundation portions name a real measure unit ("cup") plus a modifier ("chopped"); Branded
foods have no portions but a ``servingSize`` in ``servingSizeUnit``.

The API key comes from the constructor or ``FDC_API_KEY`` (``DEMO_KEY`` when unset: 30
requests an hour). It is sent in the ``X-Api-Key`` header, never in a URL, and never logged
or put in an error message. Every call has a timeout; 429 (honouring ``Retry-After``) and
5xx answers are retried with exponential backoff by urllib3's ``Retry`` mounted on the
session. Fetched foods are cached as JSON files (one per FDC ID, written atomically) in
``cache_dir``, ``$MEALPLAN_CACHE_DIR/fdc`` or the user's cache directory, so a food is
fetched once. Every failure raises :class:`mealplan.errors.FDCError` with a one-line message
saying what failed, for which FDC ID, and what to do.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as URLLib3HTTPError
from urllib3.exceptions import InvalidHeader
from urllib3.exceptions import TimeoutError as URLLib3TimeoutError
from urllib3.util.retry import Retry

from .errors import FDCError
from .foods import MAX_PER_100G
from .tableio import (
    ALL_ALLERGENS,
    ALL_SLOTS,
    MAX_PORTION_G,
    FoodRow,
    append_rows,
    formula_safe,
    portion_bounds,
    slugify,
)
from .units import NUTRIENTS

__all__ = [
    "DATA_TYPES",
    "DEFAULT_BASE_URL",
    "FDCClient",
    "FDCHTTPError",
    "FDCSearchHit",
    "add_fdc_foods",
    "fdc_to_row",
    "fdc_to_rows",
    "nutrients_from_fdc",
]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.nal.usda.gov/fdc/v1"
DEMO_KEY = "DEMO_KEY"
DATA_TYPES: tuple[str, ...] = ("Foundation", "SR Legacy", "Branded", "Survey (FNDDS)",
                               "Experimental")
MAX_IDS_PER_REQUEST = 20  # FDC's limit for POST /foods
MAX_PAGE_SIZE = 200
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_BODY_BYTES = 20 * 1024 * 1024  # a full food is about 100 KB; a 20-ID batch about 2 MB
_CHUNK = 64 * 1024
KEY_SIGNUP = "https://fdc.nal.usda.gov/api-key-signup"

# Table column -> FDC nutrient numbers to try in order, each with a factor into the column's
# unit. The first number is the SR28 Nutr_No; the others are what Foundation foods carry
# when the SR28 number is absent (Atwater energy, carbohydrate by summation, AOAC fibre,
# "Sugars, Total") and vitamin D in IU (40 IU = 1 µg).
NUTRIENT_NUMBERS: dict[str, tuple[tuple[str, float], ...]] = {
    col: ((n.sr28_nutr_no, 1.0),) for col, n in NUTRIENTS.items() if n.sr28_nutr_no
}
NUTRIENT_NUMBERS["energy_kcal"] = (("208", 1.0), ("958", 1.0), ("957", 1.0))
NUTRIENT_NUMBERS["carbs_g"] = (("205", 1.0), ("205.2", 1.0))
NUTRIENT_NUMBERS["fiber_g"] = (("291", 1.0), ("293", 1.0))
NUTRIENT_NUMBERS["sugars_g"] = (("269", 1.0), ("269.3", 1.0))
NUTRIENT_NUMBERS["vitamin_d_ug"] = (("328", 1.0), ("324", 1.0 / 40.0))
_EXPECTED_UNIT: dict[str, str] = {"324": "iu"}

_UNIT_ALIASES = {"g": "g", "mg": "mg", "ug": "ug", "µg": "ug", "μg": "ug", "mcg": "ug",
                 "kcal": "kcal", "iu": "iu"}


def _unit(text: object) -> str:
    return _UNIT_ALIASES.get(str(text).strip().lower(), str(text).strip().lower())


def _column_unit(column: str) -> str:
    return _unit(NUTRIENTS[column].unit)


class FDCHTTPError(FDCError):
    """FoodData Central answered with an HTTP error status (kept in ``status``)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class FDCSearchHit:
    """One food found by :meth:`FDCClient.search` (nutrients per 100 g, table columns)."""

    fdc_id: int
    description: str
    data_type: str
    food_category: str | None = None
    brand_owner: str | None = None
    nutrients: Mapping[str, float] = field(default_factory=dict)


def _default_cache_dir() -> Path:
    env = os.environ.get("MEALPLAN_CACHE_DIR")
    root = Path(env) if env else Path(platformdirs.user_cache_dir("mealplan"))
    return root / "fdc"


class _Retry(Retry):
    """urllib3 ``Retry`` that treats an unreadable ``Retry-After`` as absent (plain backoff)."""

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return 0.0


def _make_retry(retries: int, backoff: float, max_retry_after: float) -> Retry:
    kwargs: dict[str, Any] = dict(
        total=retries,
        connect=min(retries, 1),  # one quick retry: offline should be reported at once
        read=False,  # a read timeout is re-raised at once instead of making the user wait again
        status=retries,
        other=0,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),  # every FDC call is a read
        respect_retry_after_header=True,
        raise_on_status=False,  # hand back the last answer so its status can be reported
    )
    if "retry_after_max" in inspect.signature(Retry).parameters:  # urllib3 >= 2.4
        kwargs["retry_after_max"] = max_retry_after
    return _Retry(**kwargs)


class _Session(requests.Session):
    """A session that drops the API key when a redirect leaves the API's host.

    requests strips ``Authorization`` on such a redirect but not other headers; the key
    travels in ``X-Api-Key``, so it is stripped by the same rule here.
    """

    def rebuild_auth(self, prepared_request: requests.PreparedRequest,
                     response: requests.Response) -> None:
        # types-requests leaves both methods unannotated
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
        url = prepared_request.url
        old = response.request.url if response.request is not None else None
        if url is not None and old and self.should_strip_auth(  # type: ignore[no-untyped-call]
                old, url):
            prepared_request.headers.pop("X-Api-Key", None)


class FDCClient:
    """A FoodData Central API client with timeouts, retries and an on-disk food cache.

    Args:
        api_key: FDC/data.gov API key; default ``$FDC_API_KEY`` or ``DEMO_KEY``.
        base_url: API root; default ``$FDC_BASE_URL`` or :data:`DEFAULT_BASE_URL`.
        cache_dir: directory of cached foods; default ``$MEALPLAN_CACHE_DIR/fdc`` or the
            user's cache directory (platformdirs). ``use_cache=False`` switches it off.
        timeout: seconds allowed to connect and, separately, between two pieces of an
            answer.
        retries: how many times a 429/5xx answer is retried (a refused connection once).
        backoff: urllib3 backoff factor (seconds; doubled on each retry).
        max_retry_after: the longest ``Retry-After`` the client waits for (seconds).
        use_cache: read and write the on-disk cache.
        deadline: the most seconds one call may take in all (a slowly dripping answer
            is cut off).
        max_body: the largest answer read, in bytes.

    Raises:
        FDCError: the API key holds characters an HTTP header cannot carry.
    """

    def __init__(self, api_key: str | None = None, base_url: str | None = None,
                 cache_dir: str | Path | None = None, timeout: float = 10.0, *,
                 retries: int = 3, backoff: float = 0.5, max_retry_after: float = 5.0,
                 use_cache: bool = True, deadline: float = 60.0,
                 max_body: int = MAX_BODY_BYTES) -> None:
        key = api_key if api_key is not None else os.environ.get("FDC_API_KEY", "")
        self._api_key = key.strip() or DEMO_KEY
        try:
            self._api_key.encode("latin-1")
        except UnicodeEncodeError:
            raise FDCError("the FDC API key (FDC_API_KEY) holds characters an API key cannot "
                           "have (non-ASCII); copy the key again from the sign-up e-mail"
                           ) from None
        if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in self._api_key):
            raise FDCError("the FDC API key (FDC_API_KEY) holds spaces or control "
                           "characters; copy the key again from the sign-up e-mail")
        self.deadline = float(deadline)
        self.max_body = int(max_body)
        base = base_url or os.environ.get("FDC_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = base.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
        self.timeout = float(timeout)
        self.use_cache = use_cache
        self.requests_made = 0
        self._session = _Session()
        self._session.headers.update({"X-Api-Key": self._api_key,
                                      "Accept": "application/json",
                                      "User-Agent": "mealplan (FoodData Central client)"})
        adapter = HTTPAdapter(max_retries=_make_retry(retries, backoff, max_retry_after))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:  # never shows the key
        return f"FDCClient(base_url={self.base_url!r}, cache_dir={str(self.cache_dir)!r})"

    @property
    def using_demo_key(self) -> bool:
        """Whether the shared, heavily rate-limited ``DEMO_KEY`` is in use."""
        return self._api_key == DEMO_KEY

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def __enter__(self) -> FDCClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ---------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _request(self, method: str, path: str, what: str, *,
                 params: Mapping[str, str] | None = None,
                 body: Mapping[str, object] | None = None) -> object:
        """One API call -> decoded JSON; every failure becomes a one-line FDCError."""
        url = f"{self.base_url}{path}"
        shown = self._redact(url)
        log.debug("FDC %s %s", method, shown)
        self.requests_made += 1
        start = time.monotonic()
        try:
            resp = self._session.request(method, url, params=params, json=body,
                                         timeout=(self.timeout, self.timeout), stream=True)
            with resp:
                content = self._read_body(resp, what, start)
        except requests.Timeout:
            raise FDCError(
                f"{what}: FoodData Central did not answer within {self.timeout:g} s "
                f"({shown}); try again later") from None
        except requests.ConnectionError:
            raise FDCError(
                f"{what}: cannot reach FoodData Central at {self._redact(self.base_url)} "
                "(no network or connection refused); check the internet connection, or "
                "plan with the shipped food table") from None
        except requests.RequestException as exc:
            raise FDCError(f"{what}: request to {shown} failed "
                           f"({self._redact(type(exc).__name__)})") from None
        status = resp.status_code
        if status >= 400:
            raise FDCHTTPError(status, self._status_message(what, status, content))
        try:
            return json.loads(content)
        except ValueError:
            raise FDCError(f"{what}: FoodData Central sent a malformed answer (not JSON, "
                           f"HTTP {status}); try again later") from None

    def _read_body(self, resp: requests.Response, what: str, start: float) -> bytes:
        """The answer's body, read piece by piece under the deadline and the size cap."""
        raw = resp.raw
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() - start > self.deadline:
                raise FDCError(f"{what}: FoodData Central took longer than {self.deadline:g} s "
                               "in all to answer; try again later")
            try:
                piece = raw.read1(_CHUNK, decode_content=True)
            except (URLLib3TimeoutError, TimeoutError):
                raise requests.Timeout() from None
            except (URLLib3HTTPError, OSError):
                raise requests.ConnectionError() from None
            if not piece:
                return b"".join(parts)
            size += len(piece)
            if size > self.max_body:
                raise FDCError(f"{what}: the answer from FoodData Central is larger than "
                               f"{self.max_body // (1024 * 1024)} MB (not a food); try again "
                               "later")
            parts.append(piece)

    def _status_message(self, what: str, status: int, content: bytes) -> str:
        detail = ""
        try:
            payload = json.loads(content)
            if isinstance(payload, dict):
                err = payload.get("error")
                msg = err.get("message") if isinstance(err, dict) else payload.get("message")
                if isinstance(msg, str) and msg.strip():
                    detail = f": {' '.join(msg.split())[:200]}"
        except ValueError:
            pass
        detail = self._redact(detail)
        if status in (401, 403):
            hint = ("the API key was refused; check FDC_API_KEY or get a free key at "
                    f"{KEY_SIGNUP}")
        elif status == 404:
            hint = "not found"
        elif status == 429:
            hint = ("rate limit reached even after retrying; wait and try again"
                    + (f", or set FDC_API_KEY to your own key ({KEY_SIGNUP}): DEMO_KEY "
                       "allows 30 requests an hour" if self.using_demo_key else ""))
        elif status >= 500:
            hint = "FoodData Central failed even after retrying; try again later"
        else:
            hint = "the request was rejected"
        return f"{what}: HTTP {status}{detail} ({hint})"

    # -- cache --------------------------------------------------------------------------

    def _cache_path(self, fdc_id: int) -> Path:
        return self.cache_dir / f"food-{fdc_id}.json"

    def _cache_get(self, fdc_id: int) -> dict[str, Any] | None:
        if not self.use_cache:
            return None
        path = self._cache_path(fdc_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged entry: fetch again (and overwrite it)
        try:
            return _check_food(data, fdc_id)
        except FDCError:
            return None

    def _cache_put(self, food: Mapping[str, Any]) -> None:
        """Store a validated food atomically; a cache that cannot be written is skipped."""
        if not self.use_cache:
            return
        tmp: str | None = None
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.cache_dir,
                                             prefix=".food-", suffix=".tmp",
                                             delete=False) as fh:
                tmp = fh.name
                json.dump(food, fh)
            os.replace(tmp, self._cache_path(int(food["fdcId"])))
            tmp = None
        except OSError as exc:
            log.warning("FDC cache not written (%s): %s", self.cache_dir, exc.strerror)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    # -- API ----------------------------------------------------------------------------

    def search(self, text: str, data_types: Sequence[str] | None = None,
               page_size: int = 10) -> list[FDCSearchHit]:
        """Search foods by text.

        Args:
            text: words to look for, e.g. ``"pumpkin seeds"``.
            data_types: any of :data:`DATA_TYPES` (case-insensitive); all when None.
            page_size: how many hits (1 to 200).

        Returns:
            The hits, best first.

        Raises:
            FDCError: bad arguments, no network, timeout, HTTP error, malformed answer.
        """
        query = " ".join(text.split())
        if not query:
            raise FDCError("FDC search: the search text is empty")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise FDCError(f"FDC search: page size {page_size} is outside 1..{MAX_PAGE_SIZE}")
        body: dict[str, object] = {"query": query, "pageSize": page_size}
        if data_types:
            body["dataType"] = [_canonical_data_type(d) for d in data_types]
        what = f"FDC search for '{query}'"
        data = self._request("POST", "/foods/search", what, body=body)
        if not isinstance(data, dict) or not isinstance(data.get("foods"), list):
            raise FDCError(f"{what}: FoodData Central sent an incomplete answer "
                           "(no 'foods' list); try again later")
        hits: list[FDCSearchHit] = []
        for i, item in enumerate(data["foods"], start=1):
            if not isinstance(item, dict):
                raise FDCError(f"{what}: hit {i} is not an object")
            fdc_id = item.get("fdcId")
            desc = item.get("description")
            if not isinstance(fdc_id, int) or isinstance(fdc_id, bool) or not (
                    isinstance(desc, str) and desc.strip()):
                raise FDCError(f"{what}: hit {i} has no fdcId or description "
                               "(incomplete answer); try again later")
            cat = item.get("foodCategory")
            if isinstance(cat, dict):
                cat = cat.get("description")
            owner = item.get("brandOwner")
            hits.append(FDCSearchHit(
                fdc_id=fdc_id, description=desc.strip(),
                data_type=str(item.get("dataType") or ""),
                food_category=cat if isinstance(cat, str) and cat else None,
                brand_owner=owner if isinstance(owner, str) and owner else None,
                nutrients=nutrients_from_fdc(item, strict=False),
            ))
        return hits

    def get_food(self, fdc_id: int | str) -> dict[str, Any]:
        """One food by FDC ID (from the cache when there). See :meth:`get_foods`."""
        return self.get_foods([fdc_id])[0]

    def get_foods(self, ids: Iterable[int | str]) -> list[dict[str, Any]]:
        """Fetch foods by FDC ID, in the order asked (duplicates once), cache first.

        Args:
            ids: FDC IDs (ints or digit strings).

        Returns:
            The full FDC food objects (validated: ``fdcId``, ``description`` and a
            ``foodNutrients`` list are present).

        Raises:
            FDCError: a malformed or unknown FDC ID, no network, timeout, HTTP error,
                malformed or incomplete answer (naming the FDC ID).
        """
        wanted = list(dict.fromkeys(_coerce_id(i) for i in ids))
        if not wanted:
            return []
        found: dict[int, dict[str, Any]] = {}
        for fid in wanted:
            cached = self._cache_get(fid)
            if cached is not None:
                found[fid] = cached
        missing = [fid for fid in wanted if fid not in found]
        if len(missing) == 1:
            fid = missing[0]
            what = f"FDC ID {fid}"
            try:
                data = self._request("GET", f"/food/{fid}", what, params={"format": "full"})
            except FDCHTTPError as exc:
                if exc.status == 404:
                    raise FDCHTTPError(404, f"FDC ID {fid}: unknown food (HTTP 404); check "
                                       "the ID with 'mealplan foods fdc-search'") from None
                raise
            found[fid] = _check_food(data, fid)
            self._cache_put(found[fid])
        elif missing:
            for start in range(0, len(missing), MAX_IDS_PER_REQUEST):
                chunk = missing[start:start + MAX_IDS_PER_REQUEST]
                what = "FDC IDs " + ", ".join(str(f) for f in chunk)
                data = self._request("POST", "/foods", what,
                                     body={"fdcIds": chunk, "format": "full"})
                if not isinstance(data, list):
                    raise FDCError(f"{what}: FoodData Central sent an incomplete answer "
                                   "(expected a list of foods); try again later")
                got: dict[int, dict[str, Any]] = {}
                for n, item in enumerate(data, start=1):
                    item_id = item.get("fdcId") if isinstance(item, dict) else None
                    if not isinstance(item_id, int) or isinstance(item_id, bool):
                        raise FDCError(f"{what}: food {n} of the answer has no fdcId "
                                       "(incomplete answer); try again later")
                    if item_id in chunk:
                        got[item_id] = _check_food(item, item_id)
                unknown = [f for f in chunk if f not in got]
                if unknown:
                    raise FDCError(
                        "unknown FDC ID" + ("s " if len(unknown) > 1 else " ")
                        + ", ".join(str(f) for f in unknown)
                        + " (not returned by FoodData Central); check the IDs with "
                        "'mealplan foods fdc-search'")
                found.update(got)
            for fid in missing:
                self._cache_put(found[fid])
        return [found[fid] for fid in wanted]


def _canonical_data_type(name: str) -> str:
    for d in DATA_TYPES:
        if name.strip().lower() == d.lower() or (
                d == "Survey (FNDDS)" and name.strip().lower() in ("survey", "fndds")):
            return d
    raise FDCError(f"FDC search: unknown data type '{name}' (use one of: "
                   + ", ".join(DATA_TYPES) + ")")


def _coerce_id(value: int | str) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) <= 0:
        raise FDCError(f"'{value}' is not an FDC ID (a positive whole number, "
                       "as shown by 'mealplan foods fdc-search')")
    return int(text)


def _check_food(data: object, fdc_id: int) -> dict[str, Any]:
    """The parts of a food every later step relies on, or an FDCError naming the ID."""
    what = f"FDC ID {fdc_id}"
    if not isinstance(data, dict):
        raise FDCError(f"{what}: FoodData Central sent a malformed food (not an object); "
                       "try again later")
    missing = [k for k in ("fdcId", "description", "foodNutrients") if k not in data]
    if missing:
        raise FDCError(f"{what}: incomplete food from FoodData Central (missing "
                       + ", ".join(missing) + "); try again later")
    if data["fdcId"] != fdc_id:
        raise FDCError(f"{what}: FoodData Central answered with FDC ID {data['fdcId']!r} "
                       "instead")
    desc = data["description"]
    if not isinstance(desc, str) or not desc.strip():
        raise FDCError(f"{what}: the food has an empty description")
    if not isinstance(data["foodNutrients"], list):
        raise FDCError(f"{what}: 'foodNutrients' is not a list (malformed food)")
    return data


def _nutrient_entries(food: Mapping[str, Any]) -> Iterator[tuple[str, object, object]]:
    """(number, amount, unit) from full, abridged and search-result nutrient shapes."""
    entries = food.get("foodNutrients")
    if not isinstance(entries, list):
        return
    for e in entries:
        if not isinstance(e, dict):
            continue
        nested = e.get("nutrient")
        if isinstance(nested, dict):
            number, unit = nested.get("number"), nested.get("unitName")
            amount = e.get("amount")
        else:
            number = e.get("nutrientNumber", e.get("number"))
            unit = e.get("unitName")
            amount = e.get("value", e.get("amount"))
        if number is None:
            continue
        yield str(number).strip(), amount, unit


def nutrients_from_fdc(food: Mapping[str, Any], *, strict: bool = True) -> dict[str, float]:
    """Map an FDC food's nutrients (per 100 g) onto the table's nutrient columns.

    ``k2_ug`` is not filled here (see :func:`fdc_to_row`). A nutrient the food does not
    report is left out (unknown), never zero.

    Args:
        food: an FDC food in full, abridged or search-result shape.
        strict: raise on a non-numeric, negative or wrong-unit value instead of skipping it.

    Returns:
        Column -> amount per 100 g.

    Raises:
        FDCError: (strict only) a value that cannot be used, naming the nutrient.
    """
    by_number: dict[str, tuple[object, object]] = {}
    for number, amount, unit in _nutrient_entries(food):
        by_number.setdefault(number, (amount, unit))
    out: dict[str, float] = {}
    fid = food.get("fdcId", "?")
    for column, candidates in NUTRIENT_NUMBERS.items():
        for number, factor in candidates:
            if number not in by_number:
                continue
            amount, unit = by_number[number]
            if amount is None:
                continue  # listed without a value: unknown
            expected = _EXPECTED_UNIT.get(number, _column_unit(column))
            problem = None
            value = math.nan
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                problem = f"value {amount!r} is not a number"
            elif not math.isfinite(value := float(amount)) or value < 0:
                problem = f"value {amount!r} is not a finite amount >= 0"
            elif unit is not None and _unit(unit) != expected:
                problem = f"unit '{unit}' where '{expected}' was expected"
            elif value * factor > (most := MAX_PER_100G.get(NUTRIENTS[column].unit, math.inf)):
                problem = (f"value {amount!r} per 100 g is above {most:g} {NUTRIENTS[column].unit}"
                           ", more than a food can hold")
            if problem:
                if strict:
                    raise FDCError(f"FDC ID {fid}: nutrient {number} ({column}): {problem}")
                continue
            out[column] = value * factor
            break
    return out


def _portion(food: Mapping[str, Any]) -> tuple[str, float] | None:
    """The first usable household portion: (name, grams), or None."""
    portions = food.get("foodPortions")
    usable: list[tuple[float, int, str, float]] = []
    if isinstance(portions, list):
        for i, p in enumerate(portions):
            if not isinstance(p, dict):
                continue
            grams = p.get("gramWeight")
            if (isinstance(grams, bool) or not isinstance(grams, int | float)
                    or not math.isfinite(grams) or not 0 < grams <= MAX_PORTION_G):
                continue
            name = _portion_name(p)
            if not name:
                continue
            seq = p.get("sequenceNumber")
            order = float(seq) if isinstance(seq, int | float) else math.inf
            usable.append((order, i, name, float(grams)))
    if usable:
        _, _, name, grams = min(usable)
        return name, grams
    size, unit = food.get("servingSize"), str(food.get("servingSizeUnit") or "").lower()
    if (isinstance(size, int | float) and not isinstance(size, bool) and math.isfinite(size)
            and 0 < size <= MAX_PORTION_G and unit in ("g", "grm")):
        text = " ".join(str(food.get("householdServingFullText") or "").split())
        return (text or "1 serving"), float(size)
    return None


def _portion_name(p: Mapping[str, Any]) -> str:
    desc = " ".join(str(p.get("portionDescription") or "").split())
    if desc and desc.lower() not in ("quantity not specified", "none"):
        return desc
    if desc:
        return ""
    amount = p.get("amount")
    unit = p.get("measureUnit")
    unit_name = unit.get("name") if isinstance(unit, dict) else None
    modifier = " ".join(str(p.get("modifier") or "").split())
    measure: list[str] = []
    if isinstance(unit_name, str) and unit_name and unit_name.lower() != "undetermined":
        measure.append(unit_name)
    if modifier and not modifier.isdigit():  # FNDDS puts numeric portion codes here
        measure.append(modifier)
    if not measure:
        return ""  # a bare number or nothing: not a household measure
    if isinstance(amount, int | float) and not isinstance(amount, bool) and amount > 0:
        measure.insert(0, f"{amount:g}")
    return " ".join(measure)


def fdc_to_row(food: Mapping[str, Any]) -> FoodRow:
    """Turn one FDC food into a food-table row.

    The id is a slug of the description plus ``fdc_<id>`` (``bananas_raw_fdc_173944``);
    source is ``"FDC <id>"``; nutrients per 100 g as in :func:`nutrients_from_fdc`; the
    household portion is the first usable FDC portion (``foodPortions`` by sequence number,
    at most 400 g; Branded: the serving size in grams), else the food is planned in grams.
    Vitamin K2: FDC reports MK-4 (nutrient 428) only; where present, ``mk4_ug`` and
    ``k2_ug`` hold it and ``k2_source`` says it is MK-4 only; otherwise both stay empty
    (unknown). FDC does not state diets or allergens: ``diet_tags`` stays empty and
    ``allergens`` lists every allergen, so both filters exclude the food until a person
    checks and edits the row (an empty allergen list would read as "allergen-free").

    Args:
        food: a full FDC food (as from :meth:`FDCClient.get_foods`).

    Returns:
        The row (text as ``str``, amounts as ``float``, unknown as ``None``).

    Raises:
        FDCError: the food is incomplete (no description or nutrients) or has no energy
            value or unusable nutrient values.
    """
    fid_raw = food.get("fdcId")
    if not isinstance(fid_raw, int) or isinstance(fid_raw, bool):
        raise FDCError("an FDC food without a numeric fdcId cannot be added")
    fid = fid_raw
    _check_food(food, fid)
    nutrients = nutrients_from_fdc(food)
    if not nutrients:
        raise FDCError(f"FDC ID {fid}: none of the nutrients the planner uses is reported "
                       "(missing nutrients); pick another food")
    if "energy_kcal" not in nutrients:
        raise FDCError(f"FDC ID {fid}: no energy (kcal) value (missing nutrients); the "
                       "planner needs it, pick another food (SR Legacy foods have it)")
    description = " ".join(str(food["description"]).split())
    data_type = str(food.get("dataType") or "FDC")
    brand = food.get("brandOwner") or food.get("brandName")
    name = f"{description} ({brand})" if isinstance(brand, str) and brand.strip() else description
    category = food.get("foodCategory")
    if isinstance(category, dict):
        category = category.get("description")
    if not category:
        category = food.get("brandedFoodCategory")
    ndb = food.get("ndbNumber")
    ndb_text = str(ndb).strip() if ndb is not None else ""
    ndb_text = ndb_text.zfill(5) if ndb_text.isdigit() and len(ndb_text) <= 5 else ""

    row: FoodRow = {
        "id": f"{slugify(description, max_len=40)}_fdc_{fid}",
        # Server text goes into the user's CSV: never as a spreadsheet formula.
        "name": formula_safe(name),
        "ndb_number": ndb_text,
        "food_group": formula_safe(str(category).strip()) if category else "",
        "source": f"FDC {fid}",
    }
    for column in NUTRIENTS:
        row[column] = nutrients.get(column)
    mk4 = nutrients.get("mk4_ug")
    if mk4 is not None:
        row["k2_ug"] = mk4
        row["k2_source"] = (f"FDC {fid}: menaquinone-4 (MK-4) only; long-chain "
                            "menaquinones (MK-7 to MK-10) not measured")
    else:
        row["k2_ug"] = None
        row["k2_source"] = ""
    portion = _portion(food)
    if portion is None:
        portion_name, portion_g = "g", 1.0
        portion_note = "no household portion: planned in grams"
    else:
        portion_name = formula_safe(f"{portion[0]} ({portion[1]:g} g)")
        portion_g = portion[1]
        portion_note = "portion from FDC"
    lo, hi = portion_bounds(portion_g)
    row.update({
        "portion_name": portion_name,
        "portion_g": portion_g,
        "min_portions": lo,
        "max_portions": hi,
        "slots": ALL_SLOTS,
        "diet_tags": "",
        "allergens": ALL_ALLERGENS,
        "flags": "",
        "notes": (f"FoodData Central {data_type}; {portion_note}; diet tags and allergens "
                  "not checked: no diet tag and every allergen listed, so diet and allergen "
                  "filters exclude this food until you edit them"),
    })
    return row


def fdc_to_rows(foods: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[FoodRow]:
    """:func:`fdc_to_row` over several foods (a single food mapping is accepted too).

    Raises:
        FDCError: as :func:`fdc_to_row`, for the first food that cannot be converted.
    """
    if isinstance(foods, Mapping):
        return [fdc_to_row(foods)]
    return [fdc_to_row(f) for f in foods]


def add_fdc_foods(ids: Iterable[int | str], table_path: str | Path,
                  client: FDCClient | None = None) -> list[FoodRow]:
    """Fetch FDC foods and append them to a user's food table, all or nothing.

    Every food is fetched and converted before the table is touched; the table is then
    validated and written atomically (see :func:`mealplan.tableio.append_rows`).

    Args:
        ids: FDC IDs.
        table_path: the user's table CSV (created when missing).
        client: the client to use; a default :class:`FDCClient` when None.

    Returns:
        The rows added.

    Raises:
        FDCError: a food could not be fetched or converted (the table is unchanged).
        FoodTableError: the table is invalid, an id is already there, or the file cannot be
            written (the table is unchanged).
    """
    own = client is None
    c = client if client is not None else FDCClient()
    try:
        foods = c.get_foods(ids)
    finally:
        if own:
            c.close()
    if not foods:
        raise FDCError("no FDC ID given")
    rows = fdc_to_rows(foods)
    append_rows(table_path, rows)
    return rows
