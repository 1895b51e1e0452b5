"""Calling the data plane from synchronous code (a document store ``put`` in a Jupyter cell).

Why a background loop: sync callers may run inside a thread that already has a running event
loop (a kernel), where ``asyncio.run`` is refused, and a new loop per call would open a new
connection pool each time. One daemon thread runs one loop for the process; its planes stay
cached there like any other loop's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="ntro-data-plane", daemon=True)
            thread.start()
            _loop = loop
        return _loop


def run_sync(factory: Callable[[], Awaitable[T]], timeout: float | None = 120.0) -> T:
    """Run the coroutine ``factory()`` makes on the data plane's background loop; its result."""

    async def call() -> T:
        return await factory()

    return asyncio.run_coroutine_threadsafe(call(), _background_loop()).result(timeout)
