"""The performance benchmark (issue 15): `python bench/run.py [--size small|city]`, see docs/performance.md."""
