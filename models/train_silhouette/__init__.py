"""Training and export of the person silhouette model (``edge.detect.silhouette``): which pixels of a
detector's person box are the person. Torch only here (the ``[train]`` extra); the edge never imports it.

``python -m models.train_silhouette crops`` cuts labelled crops out of rendered corridor clips,
``... train`` fits the net and exports ONNX with its manifest (``models/silhouette``).
"""

INPUT_SIZE: tuple[int, int] = (32, 64)  # width, height of a box's crop (the shipped model; ``crops --size``)
MARGIN = 0.1  # the crop: the box grown by this share of its height on every side (as the rule masks it)
