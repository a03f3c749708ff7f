"""``sharpeyes demo``: the main job on the embedded default.

Like ``sharpeyes/cli.py`` this is a composition root: the one other place that wires ``edge`` and
``pipeline`` together (both imported lazily, so ``sharpeyes`` itself stays small). It needs both
extras: ``pip install 'sharpeyes[edge,pipeline]'``.
"""
