"""Training, export and manifests of the reference indoor detector (torch only here; the edge never
imports it).

``python -m models.train --data DIR --out models/indoor --seed 0 --epochs E [--minutes M]``
"""

CLASSES: tuple[str, ...] = ("ebike", "bicycle", "stroller", "person", "box", "bag", "furniture")
STRIDES: tuple[int, ...] = (8, 16, 32)
