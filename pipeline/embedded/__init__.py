"""The embedded default: the pipeline core on one box, over in-process calls and SQLite."""

from pipeline.embedded.runner import EmbeddedPipeline

__all__ = ["EmbeddedPipeline"]
