"""prefetched: the same items in order, the producer's errors raised, an early stop honoured."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tandem.kit.prefetch import prefetched


def test_items_arrive_in_order_made_in_another_thread() -> None:
    threads: set[str] = set()

    def produce() -> Iterator[int]:
        for n in range(100):
            threads.add(threading.current_thread().name)
            yield n

    assert list(prefetched(produce)) == list(range(100))
    assert threads == {"prefetch"}


def test_the_producer_stays_at_most_depth_ahead() -> None:
    made: list[int] = []

    def produce() -> Iterator[int]:
        for n in range(50):
            made.append(n)
            yield n

    seen = []
    for n in prefetched(produce, depth=2):
        seen.append(n)
        # one item in the consumer's hands, `depth` queued, one being handed over
        assert len(made) - len(seen) <= 3
    assert seen == list(range(50))


def test_an_error_in_the_producer_is_raised_to_the_consumer() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise LookupError("row 2 is broken")

    got = []
    with pytest.raises(LookupError, match="row 2 is broken"):
        for n in prefetched(produce):
            got.append(n)
    assert got == [1]


def test_stopping_early_closes_the_producer() -> None:
    closed = threading.Event()

    def produce() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    for n in prefetched(produce):
        if n == 5:
            break
    assert closed.wait(5)


def test_the_producer_starts_before_the_first_item_is_asked_for() -> None:
    started = threading.Event()

    def produce() -> Iterator[int]:
        started.set()
        yield 1

    stream = prefetched(produce)
    # several streams made one after the other open at the same time
    assert started.wait(5)
    assert list(stream) == [1]


def test_closing_stops_a_producer_that_would_never_end() -> None:
    closed = threading.Event()

    def produce() -> Iterator[int]:
        try:
            while True:
                yield 0
        finally:
            closed.set()

    stream = prefetched(produce)
    assert next(stream) == 0
    stream.close()
    assert closed.is_set()
    assert list(stream) == []
