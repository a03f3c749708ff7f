"""A site on one box (the embedded default): edge agent, pipeline core, webhooks and console in one process.

A composition root like ``sharpeyes/cli.py``: it wires ``edge`` and ``pipeline`` together, importing both,
so it needs both extras. ``sharpeyes run --embedded`` and ``sharpeyes demo`` are built on it.
"""
