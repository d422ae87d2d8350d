"""Performance harness: `python -m bench` (or `make bench`) seeds a large data set once and prints
one JSON document with the measured figures and a pass/fail per target (bench/README.md)."""
