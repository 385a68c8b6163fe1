"""Benchmarks (``uv run python -m bench.<name>``); reports go to ``bench/out/`` (not in git)."""
