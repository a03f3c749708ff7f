"""Per-frame cost on the edge by stage, and how many cameras one 2-core box sustains at 5 analysed fps.

    python benchmarks/edge_frame.py [--frames 150] [--source-fps 10]      # the shipped reference detector
    python benchmarks/edge_frame.py --model models/indoor/indoor-det-320.yaml   # its 320x320 export
    python benchmarks/edge_frame.py --stand-in --input 320                      # a YOLOv8n-sized stand-in

Stages, each timed per frame with ``perf_counter`` (median of all frames after a warm-up): read (decode
one frame of a 640x360 corridor clip), motion gate, preprocess (letterbox), inference, postprocess
(YOLO decode + thresholds + NMS), and the clutter rule, given the people of that frame's detector
run, apart from its person silhouette model (``silhouettes``: the crops of that frame's person boxes, on
frames with people; the mean over all frames). Inference runs on one thread (one core's cost). The
detector is a model manifest (default: the shipped reference detector), or with ``--stand-in`` a
random-weight ONNX graph with a YOLOv8n-like shape and compute (conv backbone to stride 32, head on the
stride-8 map, output ``[1, 4+nc, N]``), to size a box for a real export; its GFLOPs are printed.

Capacity = usable CPU / cost per camera-second, where a camera costs ``source_fps x read`` (every frame
of the stream is decoded) + ``5 x (gate + clutter)`` + ``5 x detector_share x (pre + inference + post)``;
``detector_share`` is 1 without the motion gate (the baseline, in the same run) and the measured share of
frames the gate lets through with it. Usable CPU: 2 cores x 80 %. A corridor camera that runs only
``corridor_clutter`` costs ``source_fps x read + 5 x clutter``, plus, knowing people, ``5 x people_share x
detector``, where ``people_share`` is the share of frames on which the rule calls its person detector
(something in the zone differs from the empty corridor).

The clutter rule is also run at a baseline analysis width (``--baseline-width``, default 320: the rule up
to session 28) on the same frames, timed the same way, so the cost of the analysis width is a ratio
measured in one process; the capacity figures use the default width. ``--baseline-kept-mask`` times instead
the rule up to session 37 at its own width (people's grown mask kept whole, no piece joined by its pixels):
the cost of ``PeopleParams.distinct_tolerance`` and ``ClutterParams.piece_holds``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST
from edge.detect import Detector, SessionPool
from edge.detect.manifest import sha256_of
from edge.detect.once import OncePerFrame
from edge.detect.silhouette import PersonSilhouettes
from edge.motion import MotionGate
from edge.rules.clutter import ClutterParams, ClutterRule
from edge.rules.people import DetectedPeople
from edge.synth.corridor import camera_config, write_clip
from edge.synth.corridor_scene import make_scene
from sharpeyes.config import CameraConfig

ANALYSED_FPS = 5.0
CORES, UTILISATION = 2, 0.8
CLASSES = ["person", "bicycle", "ebike", "box", "bag"]


def yolo_like_model(path: Path, size: int, nc: int) -> float:
    """A random-weight conv net shaped like a small YOLO; returns its GFLOPs per image."""
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    flops = 0.0
    channels, hw, x = 3, size, "images"
    plan = [
        (16, 2),
        (32, 2),
        (32, 1),
        (64, 2),
        (64, 1),
        (64, 1),
        (128, 2),
        (128, 1),
        (128, 1),
        (256, 2),
        (256, 1),
        (256, 1),
        (256, 1),
    ]
    stride8, c8 = "", 0
    for i, (out, stride) in enumerate(plan):
        w = numpy_helper.from_array((rng.normal(0, 0.05, (out, channels, 3, 3))).astype(np.float32), f"w{i}")
        inits.append(w)
        y = f"c{i}"
        nodes.append(helper.make_node("Conv", [x, f"w{i}"], [y], pads=[1, 1, 1, 1], strides=[stride, stride]))
        nodes.append(helper.make_node("Relu", [y], [f"r{i}"]))
        hw //= stride
        flops += 2 * out * channels * 9 * hw * hw
        channels, x = out, f"r{i}"
        if hw == size // 8 and not stride8 and out == 64 and stride == 1:
            stride8, c8 = x, channels
    head = numpy_helper.from_array(rng.normal(0, 0.05, (4 + nc, c8, 1, 1)).astype(np.float32), "head")
    inits.append(head)
    n = (size // 8) ** 2
    flops += 2 * (4 + nc) * c8 * n
    # biases like a trained head: boxes sized ~20-60 px, class scores mostly background (sigmoid(-5))
    bias = np.zeros(4 + nc, np.float32)
    bias[2:4] = 1.0
    bias[4:] = -5.0
    inits.append(numpy_helper.from_array(bias, "head_bias"))
    nodes.append(helper.make_node("Conv", [stride8, "head", "head_bias"], ["h"]))
    inits.append(numpy_helper.from_array(np.array([1, 4 + nc, n], np.int64), "shape"))
    nodes.append(helper.make_node("Reshape", ["h", "shape"], ["hr"]))
    nodes.append(helper.make_node("Sigmoid", ["hr"], ["hs"]))
    # keep the deeper layers in the graph (a real backbone feeds the head from all scales)
    inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "zero"))
    nodes.append(helper.make_node("ReduceMean", [x], ["deep"], keepdims=0))
    nodes.append(helper.make_node("Mul", ["deep", "zero"], ["deep0"]))
    nodes.append(helper.make_node("Add", ["hs", "deep0"], ["output0"]))
    graph = helper.make_graph(
        nodes,
        "yolo_like",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + nc, n])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return flops / 1e9


def time_rule(
    rule: ClutterRule, shapes: PersonSilhouettes | None, frame: np.ndarray, t_s: float
) -> tuple[float, float]:
    """Seconds ``rule`` took on ``frame`` apart from its silhouette model, and the model's (0 when the rule
    did not run it on this frame)."""
    if shapes is not None:
        shapes.last_ms = 0.0  # set again only if the rule runs the model on this frame
    t0 = time.perf_counter()
    rule.process(frame, t_s)
    took = time.perf_counter() - t0
    outlined = shapes.last_ms / 1e3 if shapes is not None else 0.0
    return took - outlined, outlined


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1e3 if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=150, help="analysed frames to time")
    parser.add_argument(
        "--source-fps", type=float, default=10.0, help="frames per second each stream delivers"
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_INDOOR_MANIFEST,
        help="model manifest (default: the shipped one)",
    )
    parser.add_argument("--stand-in", action="store_true", help="time a YOLOv8n-like random graph instead")
    parser.add_argument("--input", type=int, default=320, help="the stand-in's input size (square)")
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/plots/edge_frame.png"))
    parser.add_argument("--quick", action="store_true", help="a 20 s clip and 40 frames (under a minute)")
    parser.add_argument(
        "--silhouettes",
        default=str(DEFAULT_SILHOUETTE_MANIFEST),
        help="the clutter rule's person silhouette model (default: the shipped one, as edge scan; 'none': "
        "people's whole boxes)",
    )
    parser.add_argument(
        "--baseline-width",
        type=int,
        default=320,
        help="also time the clutter rule at this analysis width on the same frames (0: not)",
    )
    parser.add_argument(
        "--baseline-kept-mask",
        action="store_true",
        help="time instead, at the rule's own width, the rule up to session 37: people's grown mask kept "
        "whole and no piece joined by its pixels (distinct_tolerance and piece_holds off)",
    )
    args = parser.parse_args()
    clip_s = 20.0 if args.quick else 60.0
    if args.quick:
        args.frames = min(args.frames, 40)

    work = Path(tempfile.mkdtemp(prefix="edge-frame-"))
    scene = make_scene(
        np.random.default_rng(3), duration_s=clip_s, dwell_s=20, n_items=3, fps=args.source_fps
    )
    clip = work / "corridor.mp4"
    write_clip(scene, clip, seed=3)
    camera = CameraConfig.model_validate(camera_config("cam-bench", clip, 20))
    gflops = 0.0
    if args.stand_in:
        model_path = work / "yolo_like.onnx"
        gflops = yolo_like_model(model_path, args.input, len(CLASSES))
        manifest = work / "yolo_like.manifest.yaml"
        manifest.write_text(
            f"name: yolo-like-standin\nversion: '0'\nfile: {model_path.name}\n"
            f"sha256: {sha256_of(model_path)}\nlayout: yolov8\n"
            f"input_size: [{args.input}, {args.input}]\nclasses: {CLASSES}\n",
            encoding="utf-8",
        )
    else:
        manifest = args.model
    detector = Detector.from_manifest(manifest, SessionPool(intra_op_threads=1))
    m = detector.manifest
    what = f"{m.name} {m.version}" + (f", {gflops:.2f} GFLOPs" if args.stand_in else "")
    what += f" at {m.input_size[0]}x{m.input_size[1]}, 1 thread"
    gate = MotionGate(zones=[z.polygon for z in camera.zones], stationary_every_s=10.0)
    # the loop's timed run of each frame is the one the clutter rule's person finder gets
    shared = OncePerFrame(detector)
    shapes = None
    if args.silhouettes != "none":
        shapes = PersonSilhouettes.from_manifest(Path(args.silhouettes), SessionPool(intra_op_threads=1))
    clutter = ClutterRule.from_camera(camera, people=DetectedPeople(shared), silhouettes=shapes)
    base_params, base_name = None, ""
    if args.baseline_kept_mask:
        now = ClutterParams()
        base_params = replace(now, piece_holds=None, people=replace(now.people, distinct_tolerance=None))
        base_name = "the rule up to session 37"
    elif args.baseline_width:
        base_params, base_name = ClutterParams.at_width(args.baseline_width), f"at {args.baseline_width} px"
    baseline = None
    if base_params is not None:
        baseline = ClutterRule.from_camera(
            camera, people=DetectedPeople(shared), silhouettes=shapes, params=base_params
        )

    cap = cv2.VideoCapture(str(clip))
    times: dict[str, list[float]] = {
        k: []
        for k in (
            "read",
            "motion gate",
            "clutter rule",
            "silhouettes",
            "baseline rule",
            "baseline silh.",
            "preprocess",
            "inference",
            "postprocess",
        )
    }
    step = max(1, round(args.source_fps / ANALYSED_FPS))
    index = analysed = runs = 0
    warmup = 10
    started = time.monotonic()
    while analysed < args.frames + warmup:
        t0 = time.perf_counter()
        ok, frame = cap.read()
        t1 = time.perf_counter()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        t_s = index / args.source_fps
        index += 1
        if analysed >= warmup:
            times["read"].append(t1 - t0)
        if (index - 1) % step:
            continue
        analysed += 1
        g0 = time.perf_counter()
        decision = gate.check(frame, t_s)
        g1 = time.perf_counter()
        shared.detect(frame)  # always, to time every stage (its own timers); shares below
        rule_s, outlined = time_rule(clutter, shapes, frame, t_s)
        if baseline is not None:
            base_s, base_outlined = time_rule(baseline, shapes, frame, t_s)
            if analysed > warmup:
                times["baseline rule"].append(base_s)
                times["baseline silh."].append(base_outlined)
        if analysed > warmup:
            times["motion gate"].append(g1 - g0)
            times["clutter rule"].append(rule_s)
            times["silhouettes"].append(outlined)
            stage = detector.last_times
            times["preprocess"].append(stage.preprocess_ms / 1e3)
            times["inference"].append(stage.inference_ms / 1e3)
            times["postprocess"].append(stage.postprocess_ms / 1e3)
            runs += decision.run_detector
        if analysed % 25 == 0:
            print(f"\r  {analysed}/{args.frames + warmup} frames", end="", file=sys.stderr, flush=True)
    print(f"\r  timed {args.frames} analysed frames in {time.monotonic() - started:.0f}s", file=sys.stderr)
    cap.release()

    med = {k: median_ms(v) for k, v in times.items()}
    # zero on frames without people: the mean is what it costs a camera
    for name in ("silhouettes", "baseline silh."):
        med[name] = 1e3 * statistics.fmean(times[name]) if times[name] else 0.0
    base_rule = {name: med.pop(name) for name in ("baseline rule", "baseline silh.")}
    share = runs / args.frames
    detector_ms = med["preprocess"] + med["inference"] + med["postprocess"]
    rule_ms = med["clutter rule"] + med["silhouettes"]
    base_ms = args.source_fps * med["read"] + ANALYSED_FPS * (med["motion gate"] + rule_ms)
    budget_ms = CORES * UTILISATION * 1000
    without = budget_ms / (base_ms + ANALYSED_FPS * detector_ms)
    with_gate = budget_ms / (base_ms + ANALYSED_FPS * share * detector_ms)
    corridor_ms = args.source_fps * med["read"] + ANALYSED_FPS * rule_ms
    model_free_ms = args.source_fps * med["read"] + ANALYSED_FPS * med["clutter rule"]
    people_share = clutter.people_frames / max(1, clutter.frames)
    model_free = budget_ms / model_free_ms
    knowing_people = budget_ms / (corridor_ms + ANALYSED_FPS * people_share * detector_ms)

    print(f"\ndetector: {what}")
    print(f"{'stage':<14}{'median ms':>10}{'per camera-second':>20}")
    for name, ms in med.items():
        per_s = ms * (args.source_fps if name == "read" else ANALYSED_FPS)
        print(f"{name:<14}{ms:>10.2f}{per_s:>17.1f} ms")
    if baseline is not None:
        print(
            f"clutter rule at {clutter.params.width} px: {med['clutter rule']:.2f} ms + silhouettes "
            f"{med['silhouettes']:.2f} ms; {base_name} (baseline, same frames): "
            f"{base_rule['baseline rule']:.2f} ms + {base_rule['baseline silh.']:.2f} ms "
            f"({med['clutter rule'] / max(base_rule['baseline rule'], 1e-9):.2f}x the rule)"
        )
    print(f"\nmotion gate lets the detector run on {share:.0%} of analysed frames (saves {1 - share:.0%})")
    print(
        f"cameras sustained on {CORES} cores at {UTILISATION:.0%}, {ANALYSED_FPS:g} analysed fps, "
        f"{args.source_fps:g} fps streams:"
    )
    print(f"  without motion gate (baseline): {without:5.1f}")
    print(f"  with motion gate:               {with_gate:5.1f}   ({with_gate / without:.2f}x)")
    print("corridor cameras (corridor_clutter only):")
    print(f"  model-free clutter:             {model_free:5.1f}")
    print(
        f"  knowing people:                 {knowing_people:5.1f}   "
        f"(person detector on {people_share:.0%} of analysed frames)"
    )

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    a.barh(list(med), list(med.values()), color="tab:blue")
    a.set_xlabel("median ms per frame")
    a.set_title(f"per-frame cost by stage ({m.name})")
    b.bar(["no gate", "motion gate"], [without, with_gate], color=["tab:gray", "tab:green"])
    b.set_ylabel("cameras per 2-core box")
    b.set_title(f"capacity at {ANALYSED_FPS:g} analysed fps")
    fig.tight_layout()
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=100)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
