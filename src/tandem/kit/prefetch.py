"""Run an iterator a few items ahead in a thread, so its producer and its consumer overlap.

For pipelines whose stages release the GIL (a database read in C++, a Parquet write):
reading the next batch then costs no time beside writing the last. At most `depth` items
wait in between, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetched(produce: Callable[[], Iterable[T]], depth: int = 2) -> Iterator[T]:
    """The items of `produce()`, made in a worker thread up to `depth` items ahead.

    An error in the producer is raised here, in the consumer; a consumer that stops early
    stops the producer at its next item (whatever `produce` opened is closed by its own
    context managers, in its own thread).
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        items = iter(produce())
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator's `with` blocks end here, in this thread

    worker = threading.Thread(target=work, name="prefetch", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
