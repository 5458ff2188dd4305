"""The benchmark suite: `clientela bench` (see run.py) and its data generator."""
