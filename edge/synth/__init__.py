"""Synthetic scenes with ground truth, for demos, tests and the detector benchmarks.

Each scene is drawn from a seed, so a clip, its camera config and its truth file can be regenerated
exactly; nothing generated is committed.
"""
