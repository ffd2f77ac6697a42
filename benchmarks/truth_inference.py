"""Accuracy on the 11 truth-inference data sets beside crowd-kit (issue 4's name for it).

Usage: uv run python benchmarks/truth_inference.py — the same table as
`benchmarks/bench_quality.py accuracy`.
"""

from __future__ import annotations

from bench_quality import accuracy_section

if __name__ == "__main__":
    accuracy_section()
