"""An asyncio event loop on a background thread that keeps running while the kernel is idle.

Why a thread of our own rather than the kernel's loop: ipykernel's loop is busy (and does not
run other tasks) while a cell blocks, widget messages may arrive on a subshell thread with its
own loop, and ``asyncio.run()`` cannot be called from a cell. The Temporal client, the workers
and the live views all live on this one loop; any thread reaches it with
:func:`asyncio.run_coroutine_threadsafe` (``submit`` to fire and forget, ``run`` to wait).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _neutral_kernel_parent() -> None:
    """Publish from this thread with no parent request (call it on the thread itself).

    Why: ipykernel 7 routes a widget's incoming messages to the subshell that last *published*
    on its comm, taken from the "current parent request". A thread of our own has none, so
    ipykernel falls back to whichever request ran last, often a cell blocked on the main shell;
    clicks the front end sent on a subshell would then wait behind that cell. With an empty
    parent, updates made here leave the routing alone: a click goes where the front end sent
    it. (ipykernel 6 has one global parent and no subshells: nothing to do.)
    """
    try:
        from contextvars import ContextVar

        from ipykernel.kernelbase import Kernel
    except ImportError:
        return
    try:
        if not Kernel.initialized():
            return
        kernel = Kernel.instance()
        parent = getattr(kernel, "_shell_parent", None)
        if isinstance(parent, ContextVar):
            parent.set({})
    except Exception:  # noqa: BLE001 - private API of a kernel version we do not know
        return


class LoopThread:
    """One daemon thread running one event loop, started on first use."""

    def __init__(self, name: str = "ntro-session") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._context = contextvars.copy_context()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is not None and self._thread is not None and self._thread.is_alive():
                return self._loop
            ready = threading.Event()
            box: dict[str, Any] = {}

            def main() -> None:
                _neutral_kernel_parent()
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                box["loop"] = loop
                box["context"] = contextvars.copy_context()
                ready.set()
                try:
                    loop.run_forever()
                finally:
                    try:
                        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                        for task in pending:
                            task.cancel()
                        if pending:
                            loop.run_until_complete(asyncio.wait(pending, timeout=2.0))
                    finally:
                        loop.close()

            thread = threading.Thread(target=main, name=self.name, daemon=True)
            thread.start()
            ready.wait()
            self._loop, self._thread = box["loop"], thread
            self._context = box["context"]
            return self._loop

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop (pending tasks are cancelled) and join the thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if thread is threading.current_thread():
            loop.call_soon(loop.stop)
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.start()

    def in_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    # -- reaching it -------------------------------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop from any thread; returns at once.

        The task runs in a copy of the loop thread's own context, not the caller's: a task
        started from a cell must not carry that cell's kernel parent (see
        :func:`_neutral_kernel_parent`).
        """
        loop = self.loop
        return self._context.copy().run(asyncio.run_coroutine_threadsafe, coro, loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and wait for its result (from any thread but the loop's)."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError(
                "a blocking ntro call was made from the session's own event loop (it would "
                "wait for itself); await the async variant instead"
            )
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout:g} s") from None
        except BaseException:
            future.cancel()
            raise

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` on the loop thread (thread-safe; a stopped loop ignores it)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn, *args, context=self._context.copy())
        except RuntimeError:  # closed between the check and the call
            pass
