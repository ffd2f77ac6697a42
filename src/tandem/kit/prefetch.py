"""Run an iterator a few items ahead in a thread, so its producer and its consumer overlap.

For pipelines whose stages release the GIL (a database read in C++, a Parquet write):
reading the next batch then costs no time beside writing the last. At most `depth` items
wait in between, so memory stays bounded. The producer starts at once, so several streams
made one after the other open (connect, plan, first rows) at the same time.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class Prefetched(Generic[T]):
    """The items of `produce()`, made in a worker thread up to `depth` items ahead.

    An error in the producer is raised here, in the consumer. Closing (or dropping) it
    stops the producer at its next item; whatever `produce` opened is closed by its own
    context managers, in its own thread.
    """

    def __init__(self, produce: Callable[[], Iterable[T]], depth: int = 2) -> None:
        self._handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._finished = False
        # the thread holds the queue and the event, not this object: dropping it closes it
        work = (produce, self._handoff, self._stop)
        self._worker = threading.Thread(target=_work, args=work, name="prefetch")
        self._worker.daemon = True
        self._worker.start()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        item = self._handoff.get()
        if item is _DONE:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return item  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the producer and wait for its thread to end."""
        self._finished = True
        self._stop.set()
        # at interpreter exit daemon threads are frozen: joining one would never return
        if self._worker is not threading.current_thread() and not sys.is_finalizing():
            self._worker.join()

    def __del__(self) -> None:
        if hasattr(self, "_worker"):  # __init__ may have failed before starting it
            self.close()


def _put(handoff: queue.Queue[object], stop: threading.Event, value: object) -> bool:
    while not stop.is_set():
        try:
            handoff.put(value, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _work(
    produce: Callable[[], Iterable[object]], handoff: queue.Queue[object], stop: threading.Event
) -> None:
    items = iter(produce())
    try:
        for item in items:
            if not _put(handoff, stop, item):
                return
        _put(handoff, stop, _DONE)
    except BaseException as error:  # handed to the consumer, which raises it
        _put(handoff, stop, error)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()  # a generator's `with` blocks end here, in this thread


def prefetched(produce: Callable[[], Iterable[T]], depth: int = 2) -> Prefetched[T]:
    """`produce()`'s items, made in a thread up to `depth` ahead, starting now."""
    return Prefetched(produce, depth)
