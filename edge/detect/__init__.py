"""Object detection on the edge: model manifests, letterboxing, YOLO decoding, NMS, shared ONNX sessions."""

from edge.detect.detections import Detections
from edge.detect.errors import ModelError
from edge.detect.manifest import ModelManifest, load_manifest
from edge.detect.runtime import Detector, SessionPool

__all__ = ["Detections", "Detector", "ModelError", "ModelManifest", "SessionPool", "load_manifest"]
