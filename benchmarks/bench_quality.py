"""Quality engine: accuracy on 11 real data sets and speed, each beside a peer in the same run.

Usage: uv run python benchmarks/bench_quality.py [accuracy|speed|all]
The crowd-kit comparison runs in a Python that has crowd-kit (set TANDEM_CROWDKIT_PYTHON,
default /tmp/ck/bin/python, e.g. `python3 -m venv /tmp/ck && /tmp/ck/bin/pip install
crowd-kit "scikit-learn<1.8"`); without it that comparison is skipped with a message.
Other baselines (an L-BFGS Bradley-Terry fit, the `krippendorff` package) always run.
Peak memory is tracemalloc's peak for both sides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.stats import spearmanr

from tandem.quality.stats import Labels, aggregate
from tandem.quality.stats.agreement import alpha_from_matrix
from tandem.quality.stats.preferences import Pairs, bradley_terry, collapse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "truth-inference"
PEER_PYTHON = os.environ.get("TANDEM_CROWDKIT_PYTHON", "/tmp/ck/bin/python")
PEER_SCRIPT = Path(__file__).with_name("crowdkit_peer.py")
METHODS = ("mv", "wawa", "ds", "one-coin", "glad", "mace", "auto")
PEER_METHODS = ("mv", "wawa", "ds", "glad", "mace")


def timed(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """Result, wall seconds and tracemalloc peak bytes of fn()."""
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def peer(task: str, *args: str) -> dict[str, Any] | None:
    """Run one crowd-kit measurement in its own interpreter; None when unavailable."""
    if not Path(PEER_PYTHON).exists():
        return None
    done = subprocess.run(
        [PEER_PYTHON, str(PEER_SCRIPT), task, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"  crowd-kit failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return dict(json.loads(done.stdout))


def load(folder: Path) -> tuple[Labels, np.ndarray]:
    rows = np.loadtxt(folder / "label.csv", delimiter=",", skiprows=1, dtype=np.int64)
    truth = np.loadtxt(folder / "truth.csv", delimiter=",", skiprows=1, dtype=np.int64)
    n = rows.max(axis=0) + 1
    return Labels(rows[:, 0], rows[:, 1], rows[:, 2], int(n[0]), int(n[1]), int(n[2])), truth


def accuracy_section() -> None:
    print("## Accuracy (share of items with truth answered correctly); ck = crowd-kit")
    if not Path(PEER_PYTHON).exists():
        print(f"(crowd-kit not found at {PEER_PYTHON}: peer columns skipped)")
    header = ["data set", *METHODS, *(f"ck {m}" for m in PEER_METHODS)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    sums: dict[str, list[float]] = {m: [] for m in header[1:]}
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        data, truth = load(folder)
        cells = [folder.name]
        for method in METHODS:
            result = aggregate(data, method)
            acc = float((result.label[truth[:, 0]] == truth[:, 1]).mean())
            sums[method].append(acc)
            cells.append(f"{acc:.3f}" + (f" ({result.method[5:]})" if method == "auto" else ""))
        theirs = peer("accuracy", str(folder)) or {}
        for method in PEER_METHODS:
            got = theirs.get(method)
            cells.append("-" if got is None else f"{got['accuracy']:.3f}")
            if got is not None:
                sums[f"ck {method}"].append(got["accuracy"])
        print("| " + " | ".join(cells) + " |", flush=True)
    means = [f"{np.mean(v):.4f}" if len(v) == 11 else "-" for v in sums.values()]
    print("| **mean of 11** | " + " | ".join(means) + " |")


def synthetic(n_items: int, per_item: int, workers: int, classes: int, seed: int = 0) -> Labels:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    # per_item distinct workers per item: a random start and a random stride
    start = rng.integers(0, workers, n_items)[:, np.newaxis]
    stride = rng.integers(1, workers // per_item, n_items)[:, np.newaxis]
    worker = ((start + np.arange(per_item) * stride) % workers).ravel()
    skill = rng.uniform(0.3, 0.95, workers)
    right = rng.random(len(item)) < skill[worker]
    label = np.where(right, truth[item], rng.integers(0, classes, len(item)))
    return Labels(item, worker, label, n_items, workers, classes)


def ds_speed(tmp: Path) -> None:
    data = synthetic(100_000, 10, 1_000, 5)
    _, seconds, peak = timed(lambda: aggregate_ds(data, 10))
    print(
        f"Dawid-Skene, 1,000,000 labels: {seconds / 10 * 1000:.1f} ms per EM iteration "
        f"(10 iterations incl. setup), peak {peak / 2**20:.0f} MiB"
    )
    npz = tmp / "ds.npz"
    np.savez(npz, item=data.item, worker=data.worker, label=data.label)
    theirs = peer("ds_speed", str(npz), "10")
    if theirs is None:
        print("  crowd-kit DawidSkene: skipped (crowd-kit not available)")
    else:
        print(
            f"  crowd-kit DawidSkene: {theirs['per_iteration'] * 1000:.1f} ms per iteration, "
            f"peak {theirs['peak'] / 2**20:.0f} MiB -> Tandem is "
            f"{theirs['per_iteration'] / (seconds / 10):.1f}x faster per iteration, "
            f"{peak / theirs['peak']:.2f} of its peak memory"
        )
    big = synthetic(1_000_000, 10, 10_000, 5, seed=1)
    result, seconds, peak = timed(lambda: aggregate(big, "ds"))
    print(
        f"Dawid-Skene, 10,000,000 labels to convergence: {seconds:.2f} s "
        f"({result.iterations} iterations), peak {peak / 2**20:.0f} MiB"
    )


def aggregate_ds(data: Labels, iterations: int) -> Any:
    from tandem.quality.stats.dawid_skene import dawid_skene

    return dawid_skene(data, max_iter=iterations, tol=0.0)


def trec_speed() -> None:
    data, _ = load(DATA / "trec")
    for method in ("glad", "mace"):
        _, seconds, _ = timed(lambda method=method: aggregate(data, method))
        print(f"{method.upper()} on trec ({data.size:,} labels): {seconds:.2f} s")
    theirs = peer("mace_trec", str(DATA / "trec"))
    if theirs is not None:
        print(f"  crowd-kit MACE on trec: {theirs['seconds']:.1f} s")
    print("  crowd-kit GLAD on trec: not run (did not finish in 240 s, see the issue)")


def lbfgs_baseline(pairs: Pairs) -> np.ndarray:
    """FastChat-style: L-BFGS on the collapsed Bradley-Terry log-likelihood."""

    def objective(s: np.ndarray) -> tuple[float, np.ndarray]:
        d = s[pairs.a] - s[pairs.b]
        value = pairs.wins_a @ np.logaddexp(0, -d) + pairs.wins_b @ np.logaddexp(0, d)
        g = (pairs.wins_a + pairs.wins_b) / (1 + np.exp(-d)) - pairs.wins_a
        n = pairs.n_items
        return float(value), np.bincount(pairs.a, g, n) - np.bincount(pairs.b, g, n)

    return np.asarray(minimize(objective, np.zeros(pairs.n_items), jac=True, method="L-BFGS-B").x)


def bt_speed(tmp: Path) -> None:
    rng = np.random.default_rng(2)
    n, m = 10_000, 1_000_000
    strength = rng.normal(0, 1, n)
    a = rng.integers(0, n, m)
    b = rng.integers(0, n - 1, m)
    b = b + (b >= a)
    outcome = (rng.random(m) < 1 / (1 + np.exp(strength[b] - strength[a]))).astype(float)
    outcome[rng.random(m) < 0.1] = 0.5
    ours, seconds, _ = timed(lambda: bradley_terry(a, b, outcome, n, rounds=0))
    _, base_seconds, _ = timed(lambda: lbfgs_baseline(collapse(a, b, outcome, n)))
    rho = spearmanr(ours.elo, strength).statistic
    print(
        f"Bradley-Terry, 1,000,000 comparisons, 10,000 items: {seconds:.2f} s "
        f"(Spearman {rho:.4f}); L-BFGS baseline {base_seconds:.2f} s -> "
        f"{base_seconds / seconds:.1f}x"
    )
    _, boot_seconds, _ = timed(lambda: bradley_terry(a, b, outcome, n, rounds=100))
    print(f"  with 100 bootstrap rounds: {boot_seconds:.1f} s")
    npz = tmp / "bt.npz"
    np.savez(npz, left=a, right=b, outcome=outcome)
    theirs = peer("bt", str(npz))
    if theirs is not None:
        print(
            f"  crowd-kit BradleyTerry: {theirs['seconds']:.1f} s -> "
            f"{theirs['seconds'] / seconds:.1f}x"
        )


def alpha_speed() -> None:
    import krippendorff

    rng = np.random.default_rng(3)
    data = rng.integers(1, 6, (5, 1_000_000)).astype(float)
    data[rng.random(data.shape) < 0.3] = np.nan
    ours, seconds, peak = timed(lambda: alpha_from_matrix(data, "interval"))
    theirs, t_seconds, t_peak = timed(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    )
    print(
        f"Krippendorff's alpha, 1,000,000 units x 5 coders: {seconds:.2f} s, peak "
        f"{peak / 2**20:.0f} MiB; krippendorff package {t_seconds:.2f} s, peak "
        f"{t_peak / 2**20:.0f} MiB -> {t_seconds / seconds:.1f}x faster, "
        f"{peak / t_peak:.2f} of its memory (|diff| {abs(ours - theirs):.1e})"
    )


def speed_section() -> None:
    print("## Speed")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ds_speed(tmp)
        trec_speed()
        bt_speed(tmp)
        alpha_speed()


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("accuracy", "all"):
        accuracy_section()
    if which in ("speed", "all"):
        speed_section()
