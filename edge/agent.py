"""The edge agent: cameras → capture → (motion gate →) analyzers → evidence → disk outbox → Kafka.

One reader thread per camera keeps the newest frame; one worker thread per camera samples it at the
camera's ``fps`` and runs the camera's analyzers. Every alert is written to the SQLite outbox before
anything is sent; the forwarder thread drains it to ``<prefix>.alerts.raw`` (key = camera id). A
heartbeat thread reports each camera on ``<prefix>.edge.health`` and keeps the metrics current.

The analyzers a camera runs come from an injected factory (``AnalyzerFactory``), so the throw detector
(its own package) plugs in without this module knowing it.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server

from edge.alerting import alert_from_draft
from edge.analyzer import AlertDraft, Analyzer
from edge.capture import CameraReader, FrameSampler
from edge.config import AgentConfig
from edge.detect import Detector, SessionPool
from edge.detect.once import OncePerFrame
from edge.detect.silhouette import PersonSilhouettes
from edge.health import AgentMetrics, Heartbeat
from edge.motion import MotionGate
from edge.outbox import KafkaForwarder, Outbox, Producer, kafka_producer
from edge.rules.clutter import ClutterParams, ClutterRule
from edge.rules.ebike import EbikeParams, EbikeRule
from edge.rules.people import DetectedPeople, NoPersonClass
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.config import CameraConfig
from sharpeyes.contract.alert import AgentInfo, ModelInfo
from sharpeyes.errors import SharpEyesError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


AnalyzerFactory = Callable[[CameraConfig, datetime], list[Analyzer]]


def agent_version() -> str:
    try:
        return importlib.metadata.version("sharpeyes")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0+unknown"


class DetectorUnavailable(SharpEyesError):
    """A camera asks for a detector this agent cannot run (not built in, or no model configured)."""


@dataclass
class CameraStats:
    analysed: int = 0
    window: tuple[float, int] = (0.0, 0)
    fps_out: float = 0.0
    stage_ms: dict[str, float] = field(default_factory=dict)

    def tick(self, now: float) -> None:
        self.analysed += 1
        start, count = self.window
        if not start:
            self.window = (now, 0)
        elif now - start >= 2.0:
            self.fps_out = (count + 1) / (now - start)
            self.window = (now, 0)
        else:
            self.window = (start, count + 1)


class BuiltinAnalyzers:
    """The analyzers the agent runs: ``corridor_clutter``, ``ebike_indoor``, ``high_altitude_throw``."""

    def __init__(self, config: AgentConfig, pool: SessionPool) -> None:
        self.config = config
        self.detectors: dict[str, Detector] = {
            name: Detector.from_manifest(path, pool) for name, path in config.detectors.manifests.items()
        }
        self.gates: dict[str, MotionGate] = {}
        self.ebike_rules: dict[str, EbikeRule] = {}
        shapes = config.detectors.clutter_silhouettes
        # one session for all cameras; a missing file or a bad checksum fails at start-up (ModelError)
        self.silhouettes = PersonSilhouettes.from_manifest(shapes, pool) if shapes is not None else None

    def __call__(self, camera: CameraConfig, origin: datetime) -> list[Analyzer]:
        analyzers: list[Analyzer] = []
        per_frame: dict[str, OncePerFrame] = {}  # a model the camera's rules share runs once per frame

        def detector(model: str) -> OncePerFrame:
            return per_frame.setdefault(model, OncePerFrame(self.detectors[model]))

        for name in camera.detectors:
            if name == "corridor_clutter":
                people = self._people(detector)
                width = self.config.detectors.clutter_width
                clutter = ClutterParams.at_width(width) if width is not None else None
                analyzers.append(
                    ClutterRule.from_camera(
                        camera, origin=origin, people=people, silhouettes=self.silhouettes, params=clutter
                    )
                )
            elif name == "high_altitude_throw":
                from edge.analyzers import throw_analyzer

                analyzers.append(throw_analyzer(camera))
            elif name == "ebike_indoor":
                model = self.config.detectors.ebike_model
                if model is None:
                    raise DetectorUnavailable(f"camera {camera.id}: ebike_indoor needs detectors.ebike_model")
                gate = None
                if self.config.detectors.motion_gate:
                    gate = MotionGate(
                        zones=[z.polygon for z in camera.zones],
                        masks=list(camera.mask),
                        stationary_every_s=self.config.detectors.stationary_every_s,
                    )
                    self.gates[camera.id] = gate
                params = EbikeParams(track_start=self.config.detectors.ebike_track_start)
                rule = EbikeRule.from_camera(camera, detector(model), gate=gate, params=params)
                self.ebike_rules[camera.id] = rule
                analyzers.append(rule)
            else:
                raise DetectorUnavailable(
                    f"camera {camera.id}: detector {name} is not available in this agent"
                )
        return analyzers

    def _people(self, detector: Callable[[str], OncePerFrame]) -> DetectedPeople | None:
        """The person finder of ``detectors.clutter_people_model`` (one model session for all cameras)."""
        model = self.config.detectors.clutter_people_model
        if model is None:
            return None
        try:
            return DetectedPeople(detector(model))
        except NoPersonClass as exc:
            raise DetectorUnavailable(f"detectors.clutter_people_model {model!r}: {exc}") from None

    def model_info(self) -> ModelInfo | None:
        model = self.config.detectors.ebike_model
        if model is None:
            return None
        m = self.detectors[model].manifest
        return ModelInfo(name=m.name, version=m.version, sha256=m.sha256)


class EdgeAgent:
    def __init__(
        self,
        config: AgentConfig,
        registry: CollectorRegistry | None = None,
        analyzer_factory: AnalyzerFactory | None = None,
        producer_factory: Callable[[], Producer] | None = None,
        clock: Clock | None = None,
        reader_options: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry or CollectorRegistry()
        self.metrics = AgentMetrics(self.registry)
        self.clock = clock or SystemClock()
        self.pool = SessionPool(config.detectors.intra_op_threads)
        self.builtin = BuiltinAnalyzers(config, self.pool)
        self._factory = analyzer_factory or self.builtin
        self._producer_factory = producer_factory or (
            lambda: kafka_producer(
                config.kafka.bootstrap,
                config.agent_id,
                config.kafka.request_timeout_ms,
                config.kafka.security,
            )
        )
        self._reader_options = reader_options or {}
        self.outbox = Outbox(config.outbox.path, config.outbox.max_bytes, observer=self.metrics)
        self.forwarder = KafkaForwarder(
            self.outbox, self._producer_factory, on_sent=lambda n: self.metrics.outbox_sent.inc(n)
        )
        self.agent_info = AgentInfo(
            id=config.agent_id, version=agent_version(), model=self.builtin.model_info()
        )
        self.readers: dict[str, CameraReader] = {}
        self.stats: dict[str, CameraStats] = {}
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._heartbeat_producer: Producer | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self.config.metrics_port:
            start_http_server(self.config.metrics_port, addr=self.config.metrics_host, registry=self.registry)
        self.forwarder.start()
        for camera in self.config.cameras:
            origin = self.clock.now()
            reader = CameraReader(camera.id, camera.source, **self._reader_options)
            analyzers = self._factory(camera, origin)
            self.readers[camera.id] = reader
            self.stats[camera.id] = CameraStats()
            reader.start()
            worker = threading.Thread(
                target=self._work,
                args=(camera, reader, analyzers, origin),
                name=f"analyse-{camera.id}",
                daemon=True,
            )
            worker.start()
            self._threads.append(worker)
            log.info(
                "camera started",
                extra=fields(
                    camera=camera.id, source=camera.safe_source, detectors=",".join(camera.detectors)
                ),
            )
        beat = threading.Thread(target=self._heartbeats, name="heartbeats", daemon=True)
        beat.start()
        self._threads.append(beat)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for reader in self.readers.values():
            reader.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        self.forwarder.stop(timeout)
        if self._heartbeat_producer is not None:
            self._heartbeat_producer.close(timeout=1)
        self.outbox.close()

    def run_until(self, stop: threading.Event) -> None:
        self.start()
        try:
            while not stop.wait(1.0):
                if self.readers and all(r.ended for r in self.readers.values()) and self.outbox.depth() == 0:
                    log.info("all file sources ended and the outbox is empty; stopping")
                    break
        finally:
            self.stop()

    # -- per camera ----------------------------------------------------------------------------------
    def _work(
        self, camera: CameraConfig, reader: CameraReader, analyzers: list[Analyzer], origin: datetime
    ) -> None:
        sampler = FrameSampler(camera.fps)
        stats = self.stats[camera.id]
        topic = self.config.kafka.topic("alerts.raw")
        last_seq = 0
        last_t = 0.0
        while not self._stop.is_set():
            frame = reader.wait_newer(last_seq, timeout=1.0)
            if frame is None:
                if reader.ended:
                    break
                continue
            last_seq = frame.seq
            if not sampler.take(frame.t_s):
                continue
            last_t = frame.t_s
            started = time.perf_counter()
            drafts: list[AlertDraft] = []
            for analyzer in analyzers:
                try:
                    drafts.extend(analyzer.process(frame.image, frame.t_s))
                except Exception:
                    log.exception("analyzer failed on a frame", extra=fields(camera=camera.id))
            self.metrics.stage_seconds.labels(stage="analyse").observe(time.perf_counter() - started)
            stats.tick(time.monotonic())
            try:
                self._accept(camera, drafts, origin, topic)
            except Exception:
                log.exception("could not queue alerts", extra=fields(camera=camera.id, drafts=len(drafts)))
        self._accept(camera, [d for a in analyzers for d in a.finish(last_t)], origin, topic)

    def _accept(self, camera: CameraConfig, drafts: list[AlertDraft], origin: datetime, topic: str) -> None:
        for draft in drafts:
            alert = alert_from_draft(draft, camera, origin, self.agent_info)
            if self.outbox.put(alert, topic):
                self.metrics.alerts.labels(camera=camera.id, kind=alert.kind.value).inc()
                log.info(
                    "alert queued",
                    extra=fields(
                        camera=camera.id, kind=alert.kind.value, alert_id=alert.alert_id, zone=alert.zone
                    ),
                )

    # -- heartbeats and metrics ----------------------------------------------------------------------
    def heartbeats(self) -> list[Heartbeat]:
        now = self.clock.now()
        depth = self.outbox.depth()
        beats = []
        for camera_id, reader in self.readers.items():
            health = reader.health()
            stats = self.stats[camera_id]
            rule = self.builtin.ebike_rules.get(camera_id)
            gate = self.builtin.gates.get(camera_id)
            inference = rule.detector.last_times.inference_ms if rule is not None else 0.0  # type: ignore[attr-defined]
            beats.append(
                Heartbeat(
                    agent_id=self.config.agent_id,
                    camera_id=camera_id,
                    ts=now,
                    state=health.state.value,
                    online=health.online,
                    fps_in=health.fps_in,
                    fps_out=stats.fps_out,
                    inference_ms=inference,
                    detector_saved_fraction=gate.stats.saved_fraction if gate is not None else 0.0,
                    reconnects=health.reconnects,
                    outbox_depth=depth,
                )
            )
            m = self.metrics
            m.online.labels(camera=camera_id).set(1 if health.online else 0)
            m.fps_in.labels(camera=camera_id).set(health.fps_in)
            m.fps_out.labels(camera=camera_id).set(stats.fps_out)
            m.inference_ms.labels(camera=camera_id).set(inference)
            m.reconnects.labels(camera=camera_id).set(health.reconnects)
            if gate is not None:
                m.inference_saved.labels(camera=camera_id).set(gate.stats.saved_fraction)
        self.metrics.outbox_depth.set(depth)
        self.metrics.outbox_bytes.set(self.outbox.bytes)
        return beats

    def _heartbeats(self) -> None:
        topic = self.config.kafka.topic("edge.health")
        while not self._stop.wait(self.config.heartbeat_every_s):
            beats = self.heartbeats()
            try:
                if self._heartbeat_producer is None:
                    self._heartbeat_producer = self._producer_factory()
                for beat in beats:
                    self._heartbeat_producer.send(topic, value=beat.to_bytes(), key=beat.camera_id.encode())
                self._heartbeat_producer.flush(timeout=5)
            except Exception:  # noqa: BLE001 - a heartbeat is stale by the next one: drop, count, go on
                self.metrics.heartbeats_dropped.inc(len(beats))
                if self._heartbeat_producer is not None:
                    try:
                        self._heartbeat_producer.close(timeout=0)
                    except Exception:  # noqa: BLE001
                        log.debug("heartbeat producer close failed")
                self._heartbeat_producer = None
