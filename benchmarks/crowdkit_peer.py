"""The crowd-kit side of bench_quality.py; runs under a Python that has crowd-kit.

Usage (called by bench_quality.py): PYTHON crowdkit_peer.py TASK ARGS... ; prints JSON.
crowd-kit needs pandas and scikit-learn < 1.8, so it lives in its own venv, never in
Tandem's dependencies. Peak memory is tracemalloc's (NumPy and pandas buffers included).
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from crowdkit.aggregation import GLAD, MACE, BradleyTerry, DawidSkene, MajorityVote, Wawa

# crowd-kit's GLAD took 97 s and MACE 45 s on rte (8,000 labels) here: only small sets
# get them in the accuracy table (MACE on trec is timed on its own in the speed section)
SLOW_MAX_LABELS = {"glad": 5_000, "mace": 10_000}


def _frame(path: Path) -> pd.DataFrame:
    data = pd.read_csv(path)
    return data.rename(columns={"item": "task"})[["worker", "task", "label"]]


def _timed(fn):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def accuracy(folder: str) -> dict[str, object]:
    base = Path(folder)
    labels = _frame(base / "label.csv")
    truth = pd.read_csv(base / "truth.csv").set_index("item")["truth"]
    methods = {
        "mv": MajorityVote,
        "wawa": Wawa,
        "ds": DawidSkene,
        "glad": GLAD,
        "mace": MACE,
    }
    out: dict[str, object] = {}
    for name, cls in methods.items():
        if len(labels) > SLOW_MAX_LABELS.get(name, len(labels)):
            out[name] = None
            continue
        predicted, seconds, _ = _timed(lambda cls=cls: cls().fit_predict(labels))
        hit = predicted.reindex(truth.index) == truth
        out[name] = {"accuracy": float(hit.mean()), "seconds": seconds}
    return out


def ds_speed(npz: str, iterations: str) -> dict[str, object]:
    arrays = np.load(npz)
    frame = pd.DataFrame(
        {"worker": arrays["worker"], "task": arrays["item"], "label": arrays["label"]}
    )
    n = int(iterations)
    _, seconds, peak = _timed(lambda: DawidSkene(n_iter=n, tol=0.0).fit_predict(frame))
    return {"seconds": seconds, "per_iteration": seconds / n, "peak": peak}


def mace_trec(folder: str) -> dict[str, object]:
    labels = _frame(Path(folder) / "label.csv")
    _, seconds, peak = _timed(lambda: MACE().fit_predict(labels))
    return {"seconds": seconds, "peak": peak}


def bt_speed(npz: str) -> dict[str, object]:
    arrays = np.load(npz)
    winner = np.where(arrays["outcome"] > 0.5, arrays["left"], arrays["right"])
    frame = pd.DataFrame(
        {"worker": 0, "left": arrays["left"], "right": arrays["right"], "label": winner}
    )
    _, seconds, peak = _timed(lambda: BradleyTerry(n_iter=100).fit(frame))
    return {"seconds": seconds, "peak": peak}


if __name__ == "__main__":
    task, *args = sys.argv[1:]
    runners = {"accuracy": accuracy, "ds_speed": ds_speed, "mace_trec": mace_trec, "bt": bt_speed}
    print(json.dumps(runners[task](*args)))
