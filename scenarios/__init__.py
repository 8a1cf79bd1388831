"""Synthetic scenarios: partner deliveries with planted ground truth, for demos, tests,
benchmarks and the evaluation of the analysis. Never production data."""
