"""The ``schakel`` command: the one place that knows ``graph``, ``ingest`` and ``dashboard``."""
