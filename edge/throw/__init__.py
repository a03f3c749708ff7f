"""High-altitude throwing (高空抛物) on facade cameras: small moving blobs, tracked, tested against gravity.

Layers, outermost first: ``detector`` (the Analyzer a camera runs) → ``foreground`` (background model and
blobs) and ``tracker`` (small-blob tracks) → ``trajectory`` (the physics test, pure) over ``floors``
(pixel rows ↔ metres ↔ floor numbers, pure); ``evidence`` draws the composite image.
"""
