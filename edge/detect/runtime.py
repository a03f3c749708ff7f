"""ONNX Runtime sessions shared across cameras, sized for a small box, and the ``Detector`` on top.

One ``InferenceSession`` per model file serves every camera (a model's weights are loaded once); its
thread counts are set for a 2-4 core NVR (``intra_op_num_threads``, one inter-op thread, sequential
execution), since the capture threads need CPU too. On load the session's real input and output shapes
are checked against the manifest, then one warm-up inference runs, so a wrong model fails at start-up.
``detect_batch`` stacks frames from several cameras into one run when the model has a dynamic batch
dimension, which amortises per-run overhead on small CPUs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.detect.decode import apply_thresholds, decode, nms
from edge.detect.detections import Detections
from edge.detect.errors import ModelError
from edge.detect.letterbox import Letterbox, letterbox
from edge.detect.manifest import Layout, ModelManifest, load_manifest

PRE_NMS_TOP_K = 1000


@dataclass(frozen=True)
class StageTimes:
    """Milliseconds of the last call, per stage (for ``/metrics`` and the per-frame benchmark)."""

    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    postprocess_ms: float = 0.0


class SessionPool:
    """Shared sessions, keyed by model file. Thread-safe; ``InferenceSession.run`` itself is thread-safe."""

    def __init__(self, intra_op_threads: int = 2) -> None:
        self.intra_op_threads = intra_op_threads
        self._sessions: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def session(self, model_path: Path) -> Any:
        import onnxruntime as ort

        with self._lock:
            if model_path not in self._sessions:
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.intra_op_threads
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._sessions[model_path] = ort.InferenceSession(
                    str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
                )
            return self._sessions[model_path]

    def __len__(self) -> int:
        return len(self._sessions)


def fixed_dim(value: Any) -> int | None:
    """A tensor dimension the graph fixes, or None where it is dynamic (a name, -1)."""
    return value if isinstance(value, int) and value > 0 else None


class Detector:
    """A checked model: ``detect(frame)`` → ``Detections`` in frame pixels, thresholds and NMS applied."""

    def __init__(self, manifest: ModelManifest, model_path: Path, pool: SessionPool) -> None:
        self.manifest = manifest
        self.model_path = model_path
        self.session = pool.session(model_path)
        self._input = self.session.get_inputs()[0]
        self.dynamic_batch = fixed_dim(self._input.shape[0]) is None
        self._check_shapes()
        self._thresholds = np.array(
            [manifest.threshold_of(i) for i in range(len(manifest.classes))], np.float32
        )
        self.last_times = StageTimes()
        try:  # warm-up, and the check of output shapes the graph leaves dynamic
            self.detect(np.zeros((manifest.input_size[1], manifest.input_size[0], 3), np.uint8))
        except ValueError as exc:
            raise ModelError(manifest.name, "shape", str(exc)) from None

    @classmethod
    def from_manifest(cls, path: Path, pool: SessionPool) -> Detector:
        manifest, model_path = load_manifest(path)
        return cls(manifest, model_path, pool)

    @property
    def class_names(self) -> list[str]:
        return list(self.manifest.classes)

    def threshold_of(self, class_id: int) -> float:
        return self.manifest.threshold_of(class_id)

    def detect(self, frame: np.ndarray) -> Detections:
        return self.detect_batch([frame])[0]

    def detect_batch(self, frames: Sequence[np.ndarray]) -> list[Detections]:
        """Detections for each frame; one session run when the model takes a batch, else one per frame."""
        t0 = time.perf_counter()
        prepared = [letterbox(f, self.manifest.input_size) for f in frames]
        t1 = time.perf_counter()
        if self.dynamic_batch:
            raw = self.session.run(None, {self._input.name: np.concatenate([p[0] for p in prepared])})[0]
            outputs = list(raw)
        else:
            outputs = [self.session.run(None, {self._input.name: p[0]})[0][0] for p in prepared]
        t2 = time.perf_counter()
        result = [
            self._postprocess(out, box, frame.shape[:2])
            for out, (_, box), frame in zip(outputs, prepared, frames, strict=True)
        ]
        t3 = time.perf_counter()
        self.last_times = StageTimes((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3)
        return result

    def _postprocess(self, output: np.ndarray, box: Letterbox, frame_hw: tuple[int, ...]) -> Detections:
        m = self.manifest
        xyxy, score, class_id = decode(np.asarray(output, np.float32), m.layout, len(m.classes))
        keep = np.nonzero(apply_thresholds(score, class_id, self._thresholds))[0]
        if len(keep) > PRE_NMS_TOP_K:  # an untrained or confused model must not make NMS quadratic in N
            keep = keep[np.argsort(-score[keep], kind="stable")[:PRE_NMS_TOP_K]]
        xyxy, score, class_id = xyxy[keep], score[keep], class_id[keep]
        kept = nms(xyxy, score, class_id, m.thresholds.nms_iou, m.thresholds.max_detections)
        frame_boxes = box.to_frame(xyxy[kept]) if len(kept) else np.zeros((0, 4), np.float32)
        # clip to the frame (a box may reach into the letterbox padding) and drop what is left empty
        frame_boxes[:, [0, 2]] = np.clip(frame_boxes[:, [0, 2]], 0, frame_hw[1])
        frame_boxes[:, [1, 3]] = np.clip(frame_boxes[:, [1, 3]], 0, frame_hw[0])
        visible = (frame_boxes[:, 2] > frame_boxes[:, 0]) & (frame_boxes[:, 3] > frame_boxes[:, 1])
        return Detections(
            frame_boxes[visible].astype(np.float32), score[kept][visible], class_id[kept][visible]
        )

    def _check_shapes(self) -> None:
        m = self.manifest
        shape = list(self._input.shape)
        expected_in = [3, m.input_size[1], m.input_size[0]]
        if len(shape) != 4 or [fixed_dim(d) for d in shape[1:]] != expected_in:
            raise ModelError(
                m.name, "shape", f"input {shape} is not [batch, {', '.join(map(str, expected_in))}]"
            )
        out = list(self.session.get_outputs()[0].shape)
        nc = len(m.classes)
        if len(out) != 3:
            raise ModelError(m.name, "shape", f"output {out} is not 3-D as the {m.layout.value} layout needs")
        if m.layout is Layout.YOLOV8 and fixed_dim(out[1]) not in (None, 4 + nc):
            raise ModelError(
                m.name, "shape", f"output {out} is not [1, 4+{nc}, N] (yolov8 layout, {nc} classes)"
            )
        if m.layout is Layout.YOLOV5 and fixed_dim(out[2]) not in (None, 5 + nc):
            raise ModelError(
                m.name, "shape", f"output {out} is not [1, N, 5+{nc}] (yolov5 layout, {nc} classes)"
            )
