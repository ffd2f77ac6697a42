"""Closed-loop clients spread over several processes (`benchmarks.dispatch --processes N`).

In one process, 64 client threads share one GIL, and a transaction stays open (its rows
locked) while its thread waits for its turn to run. A server runs the service layer in
one process per core (`tandem serve --workers N`); this runs the raw and service modes in
that shape too, the clients dealt out among the processes, their results added up, to
tell the GIL's share of a gap from the rest (measured 2026-12-07: it was not the GIL;
docs/benchmarks.md).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from contextlib import AbstractContextManager
from multiprocessing.synchronize import Barrier
from typing import Any

SPAWN = multiprocessing.get_context("spawn")  # no fork of a process that has run threads


def _client_process(
    mode: str,
    url: str,
    project: int,
    experts: list[int],
    timing: tuple[float, float],
    steps: Barrier,
    results: Any,
) -> None:
    from benchmarks import dispatch

    warm_up, seconds = timing
    made = dispatch._make(mode, url, project, experts)
    cycle, close = dispatch._warmed(made, len(experts), warm_up)
    steps.wait()  # ready
    steps.wait()  # go: the parent is measuring
    run = dispatch._loop(seconds, len(experts), (cycle, lambda: None))
    results.put((run.cycles, run.errors, run.claim_ms, run.own_cpu))
    # the connections stay open until the parent has read what their backends used
    steps.wait()
    close()


def run_spread(
    processes: int,
    mode: str,
    url: str,
    project: int,
    experts: list[int],
    timing: tuple[float, float],
    measured: Callable[[], AbstractContextManager[Any]],
) -> tuple[int, int, list[float], float]:
    """Cycles, errors, claim latencies (ms) and the client processes' CPU (s), added up.

    `timing` is (warm-up, measured) seconds; `measured()` is entered once every process has
    warmed up and left once all have finished, before they close their connections.
    """
    steps, results = SPAWN.Barrier(processes + 1), SPAWN.Queue()
    shares = [experts[at::processes] for at in range(processes)]
    children = [
        SPAWN.Process(
            target=_client_process, args=(mode, url, project, share, timing, steps, results)
        )
        for share in shares
    ]
    for child in children:
        child.start()
    steps.wait()  # every process has imported Tandem and made its mode
    with measured():
        steps.wait()
        found = [results.get() for _ in children]
    steps.wait()
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"a client process failed with exit code {child.exitcode}")
    claim_ms = [ms for _, _, latencies, _ in found for ms in latencies]
    return (
        sum(cycles for cycles, *_ in found),
        sum(errors for _, errors, *_ in found),
        claim_ms,
        sum(cpu for *_, cpu in found),
    )
