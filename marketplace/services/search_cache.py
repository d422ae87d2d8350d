"""The search counts kept a short while (docs/architecture.md "Search"): shared by every process
through Redis when the app has one, in this process's memory otherwise.

Counting a query's total and facets is the dear part of a results page; the rows are cheap and
never kept. A kept value is good while it is younger than `seconds` **and** no write to the
index happened since it was counted: each write (`forget`) moves a version number in Redis, and a
value carries the version read before it was counted, so a count made while a write happened is
never served after it. In memory the same holds for this process only (other processes see
new counts `seconds` later at most).

Redis failing (down, slow) costs a request nothing but the count: the cache falls back to
memory and leaves Redis alone for `PAUSE_SECONDS`, so a dead Redis is not waited for on every
request (the client gives up after REDIS_SOCKET_TIMEOUT)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from flask import current_app
from redis import Redis

from marketplace.services.queue import redis_connection

log = logging.getLogger(__name__)

# After a Redis failure, memory only for this long.
PAUSE_SECONDS = 30
# Values kept in memory at most; past it the oldest go (the cache is emptied).
MEMORY_ENTRIES = 2000


def kept(key: Any) -> tuple[Any | None, int | None]:
    """The value kept under `key` (any JSON-able key) and the version to keep a new one with;
    (None, version) when there is none to use."""
    redis = _redis()
    if redis is not None:
        try:
            version, value = redis.mget(_version_key(), _key(key))
        except Exception as exc:  # noqa: BLE001 - any Redis failure: count, use memory
            _pause(exc)
        else:
            version = int(version or 0)
            if value is not None:
                found = json.loads(value)
                if found["version"] == version:
                    return found["value"], version
            return None, version
    entry = _memory().get(_key(key))
    if entry and entry[0] > time.monotonic():
        return entry[1], None
    return None, None


def keep(key: Any, value: Any, version: int | None, seconds: int) -> None:
    """Keep `value` (JSON-able) for `seconds`, under the version `kept` gave."""
    redis = _redis()
    if redis is not None and version is not None:
        try:
            redis.set(_key(key), json.dumps({"version": version, "value": value}), ex=seconds)
            return
        except Exception as exc:  # noqa: BLE001
            _pause(exc)
    memory = _memory()
    if len(memory) >= MEMORY_ENTRIES:
        memory.clear()
    memory[_key(key)] = (time.monotonic() + seconds, value)


def forget() -> None:
    """The index changed: no kept value is used again, in any process sharing the Redis."""
    _memory().clear()
    redis = _redis()
    if redis is not None:
        try:
            redis.incr(_version_key())
        except Exception as exc:  # noqa: BLE001
            _pause(exc)


def _memory() -> dict:
    return current_app.extensions.setdefault("search_counts", {})


def _redis() -> Redis | None:
    """The app's Redis client for the cache, or None (none configured, or paused)."""
    if not current_app.config.get("REDIS_URL"):
        return None
    state = current_app.extensions.setdefault("search_cache_redis", {})
    if state.get("paused_until", 0) > time.monotonic():
        return None
    if "client" not in state:
        state["client"] = redis_connection()
    return state["client"]


def _pause(exc: Exception) -> None:
    log.warning("search counts: Redis failed (%s); memory only for %s s", exc, PAUSE_SECONDS)
    state = current_app.extensions.setdefault("search_cache_redis", {})
    state["paused_until"] = time.monotonic() + PAUSE_SECONDS


def _prefix() -> str:
    return f"{current_app.config.get('REDIS_PREFIX', '')}search:counts:"


def _version_key() -> str:
    return _prefix() + "version"


def _key(key: Any) -> str:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
    return _prefix() + digest
