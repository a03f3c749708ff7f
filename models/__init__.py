"""Models the project trains itself. Training code lives in ``models.train`` (needs torch, the ``[train]``
extra); the shipped ONNX files and their manifests live beside it (``models/indoor``) and need no torch."""
