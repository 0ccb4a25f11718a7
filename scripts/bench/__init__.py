"""The benchmark harness behind `make benchmark` (scripts/benchmark.py)."""
