"""Precision and recall of ``corridor_clutter`` on synthetic corridor clips with ground truth.

    python benchmarks/clutter_eval.py --out build/fresh --seeds 31 32 33 34 --clips 3  # evaluation seeds
    python benchmarks/clutter_eval.py --out build/tune --seeds 3 4 7 8 --clips 3       # tuning seeds (1-10)
    python benchmarks/clutter_eval.py --quick                                         # one short clip
    python benchmarks/clutter_eval.py --out build/fresh --seeds 31 32 --jobs 2 --per-clip build/fresh.jsonl

Generates the clips (``edge.synth.corridor``) unless they exist, replays each through ``ClutterRule`` at
the camera's fps (as ``sharpeyes edge scan`` does), and matches alerts to items: an alert is a true
positive when its box overlaps an item that stayed >= dwell_s and its ``since`` is within 3 s of the
item's placement; each item can be matched once (a second alert for it is a false positive). Items set
down together and touching may be reported by one alert (a pile): an item the alert's box also covers,
placed within 3 s of its ``since``, counts as found, in its own column ("pile"); the summary line gives
the recall with and without them.

Some items no camera could report as asked: people stood in front of them (three quarters of the item or
more hidden) from their placement until more than 3 s later, so nobody can date them, or from before the
dwell until they were taken away, so nobody can tell they stayed. The truth marks which
(``observable``, from the generator's own drawing of who stands in front of what); they are counted
apart ("hidden"), and an alert pointing at one is neither right nor wrong ("excused"). The last line
gives precision and recall counting them as required too. The items a camera could see are then
counted by the share of their stay they were in view (``in_view`` in the truth): an item people walked
past is in view nearly all its stay, one that talkers stood in front of for long much less. Prints a
table per clip and overall (precision, recall, ``since`` error median/max, the rule's ms per frame
measured apart from video decoding), and saves a PNG of the ``since`` errors. ``--jobs N`` renders and
scores clips in N worker processes of one thread each (on two cores, two one-thread workers score a clip
in 31-33 s each where two two-thread processes took 72-77 s: the threads fought over the cores);
``--per-clip FILE`` keeps every clip's score as a JSON line, so a long run can be checked clip by clip,
and ``--summarize FILE ...`` prints the tables and plot of such files together (a run split across lanes
or sessions).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

import matplotlib

matplotlib.use("Agg")
import cv2
import matplotlib.pyplot as plt

from edge.analyzer import AlertDraft
from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST
from edge.detect import Detector, SessionPool
from edge.detect.silhouette import PersonSilhouettes
from edge.replay import replay
from edge.rules.clutter import ClutterParams, ClutterRule
from edge.rules.people import DetectedPeople, PeopleFinder, PeopleShapes
from edge.synth.corridor import write_corridor_clip
from edge.synth.corridor_truth import SEEN_SHARE, SINCE_TOLERANCE_S
from edge.synth.truth_people import ClockedRule, TruthPeople
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.timefmt import EPOCH


@dataclass
class ClipScore:
    clip: str
    expected: int
    hidden: int  # of those, items no camera could date or see stay (people stood in front of them)
    alerts: int
    tp: int
    fp: int
    fn: int
    pile: int  # items found in another item's alert (set down together, touching)
    excused: int  # alerts for hidden items: neither right nor wrong
    hidden_found: int  # hidden items reported all the same (since within the tolerance)
    since_errors: list[float]
    ms_per_frame: float
    detector_share: float  # of analysed frames, those the person detector ran on (0 model-free)
    # each item a camera could see come and stay: the share of its stay it was in view, found or not
    in_view: list[tuple[float, bool]] = field(default_factory=list)


class TimedRule:
    """The rule, with the time spent in it (not in decoding) added up."""

    def __init__(self, rule: ClutterRule) -> None:
        self.rule = rule
        self.seconds = 0.0
        self.frames = 0

    def process(self, frame: object, t_s: float) -> list[AlertDraft]:
        started = time.perf_counter()
        out = self.rule.process(frame, t_s)  # type: ignore[arg-type]
        self.seconds += time.perf_counter() - started
        self.frames += 1
        return out

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self.rule.finish(t_s)


def overlaps(a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@dataclass(frozen=True)
class Reported:
    """An alert as scoring sees it: its box (frame pixels), since when and when it was raised (seconds
    from the clip's start)."""

    bbox: tuple[float, ...]
    since_s: float
    t_s: float


def reports(alert: Reported, item: dict[str, Any]) -> bool:
    """Does the alert report the item: its box overlaps it, its ``since`` within the tolerance?"""
    return overlaps(alert.bbox, item["bbox"]) and abs(alert.since_s - item["placed_s"]) <= SINCE_TOLERANCE_S


def points_at(alert: Reported, item: dict[str, Any]) -> bool:
    """Does the alert point at a hidden item: its box overlaps it, dated while it was there (a camera
    that could not see it come dates it when it first showed)?"""
    gone = item["removed_s"] if item["removed_s"] is not None else float("inf")
    return overlaps(alert.bbox, item["bbox"]) and item["placed_s"] - SINCE_TOLERANCE_S <= alert.since_s < gone


def score_alerts(clip: str, truth: dict[str, Any], alerts: list[Reported]) -> ClipScore:
    """Match a clip's alerts to its truth (the rule's cost is left at zero: ``score_clip`` measures it).

    In the order raised, an alert reports the first observable item it overlaps with ``since`` within
    the tolerance (a true positive), else points at a hidden item (excused; found too if its ``since``
    is within the tolerance), else is a false positive. Then each true positive's alert may also report
    further items (a pile)."""
    expected = [item for item in truth["items"] if item["expect_alert"] and item["observable"]]
    hidden = [item for item in truth["items"] if item["expect_alert"] and not item["observable"]]
    matched: set[str] = set()
    tp = fp = pile = excused = hidden_found = 0
    errors = []
    hits: list[Reported] = []
    for alert in alerts:
        hit = next((i for i in expected if i["id"] not in matched and reports(alert, i)), None)
        if hit is None:
            hid = next((i for i in hidden if i["id"] not in matched and points_at(alert, i)), None)
            if hid is not None:
                matched.add(hid["id"])
                excused += 1
                hidden_found += reports(alert, hid)
                print(
                    f"  excused {clip}: {hid['id']} placed={hid['placed_s']} (first seen "
                    f"{hid['first_seen_s']}, last {hid['last_seen_s']}): "
                    f"t={alert.t_s:.1f} since={alert.since_s:.1f}"
                )
                continue
            fp += 1
            print(f"  FP {clip}: t={alert.t_s:.1f} since={alert.since_s:.1f} bbox={alert.bbox}")
            continue
        matched.add(hit["id"])
        tp += 1
        errors.append(alert.since_s - hit["placed_s"])
        hits.append(alert)
    # a pile: items set down together, touching, and reported by one alert whose box covers each and
    # whose ``since`` is within the tolerance of each placement; counted apart (``pile``)
    for alert in hits:
        for item in expected:
            if item["id"] in matched or not reports(alert, item):
                continue
            matched.add(item["id"])
            pile += 1
            errors.append(alert.since_s - item["placed_s"])
            print(f"  pile {clip}: {item['id']} placed={item['placed_s']} in the alert at t={alert.t_s:.1f}")
    for item in expected:
        if item["id"] not in matched:
            print(f"  FN {clip}: {item['id']} placed={item['placed_s']} bbox={item['bbox']}")
    for item in hidden:
        if item["id"] not in matched:
            print(
                f"  hidden {clip}: {item['id']} placed={item['placed_s']} "
                f"removed={item['removed_s']} first seen {item['first_seen_s']}, "
                f"last {item['last_seen_s']}: no alert"
            )
    return ClipScore(
        clip=clip,
        expected=len(expected) + len(hidden),
        hidden=len(hidden),
        alerts=len(alerts),
        tp=tp,
        fp=fp,
        fn=len(expected) - tp - pile,
        pile=pile,
        excused=excused,
        hidden_found=hidden_found,
        since_errors=errors,
        ms_per_frame=0.0,
        detector_share=0.0,
        in_view=[(float(i.get("in_view", math.nan)), i["id"] in matched) for i in expected],
    )


# ``--people truth``: the people the renderer drew, as an ideal person detector and silhouette model
TRUTH = "truth"

ExactPeople = Callable[[Path], TruthPeople]  # a clip's truth -> its people, known exactly


def score_clip(
    truth_path: Path,
    people: PeopleFinder | None = None,
    silhouettes: PeopleShapes | None = None,
    params: ClutterParams | None = None,
    exact: ExactPeople | None = None,
) -> ClipScore:
    """The rule's alerts on a clip, scored; with ``exact``, the rule knows the clip's people exactly
    (``TruthPeople``: ``people`` and ``silhouettes`` are not used)."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    camera = load_model(CameraConfig, truth_path.parent / truth["camera"])
    known = exact(truth_path) if exact is not None else None
    if known is not None:
        people, silhouettes = known, known
    rule = TimedRule(ClutterRule.from_camera(camera, people=people, silhouettes=silhouettes, params=params))
    result = replay(Path(camera.source), [rule if known is None else ClockedRule(rule, known)], camera.fps)
    alerts = []
    for draft in result.drafts:
        assert isinstance(draft.attributes, ClutterAttributes) and draft.bbox is not None
        alerts.append(Reported(draft.bbox, (draft.attributes.since - EPOCH).total_seconds(), draft.t_s))
    score = score_alerts(truth_path.stem.removesuffix(".truth"), truth, alerts)
    return replace(
        score,
        ms_per_frame=1000 * rule.seconds / max(1, rule.frames),
        detector_share=rule.rule.people_frames / max(1, rule.rule.frames),
    )


def add_people_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--people",
        default=str(DEFAULT_INDOOR_MANIFEST),
        help="manifest of the person detector the rule masks people with (default: the shipped model; "
        "'none': model-free, as without a detector; 'truth': the people the renderer drew, an ideal "
        "detector and silhouette model, so a miss that stays is the rule's, not the models'; the rule's "
        "ms/frame then holds drawing them)",
    )
    parser.add_argument(
        "--silhouettes",
        default=str(DEFAULT_SILHOUETTE_MANIFEST),
        help="manifest of the person silhouette model (default: the shipped one; 'none': people's whole "
        "boxes are masked)",
    )


def number_or_none(text: str) -> float | None:
    """``--grow-chance``, ``--mix-tolerance`` and ``--distinct-tolerance``: a number, or 'none'
    (``--grow-chance``: grown into every pixel, as up to session 25; the others: grown by chance, as the
    rule is)."""
    return None if text.lower() == "none" else float(text)


def add_mask_options(parser: argparse.ArgumentParser) -> None:
    """Options that turn back changes to the rule, to compare with it as it was: how it masks people
    beside them (up to session 25), whether items seen apart stay two (up to session 27), and the
    analysis width (320 up to session 28); and candidates not on by default."""
    defaults = ClutterParams()
    parser.add_argument(
        "--width",
        type=int,
        default=defaults.width,
        help="analysis width, with the pixel counts and distances scaled to it (default %(default)s; "
        "320: as up to session 28)",
    )
    parser.add_argument(
        "--grow-chance",
        type=number_or_none,
        default=defaults.people.grow_chance,
        help="grow people's silhouettes only into pixels above this chance (default %(default)s; 'none': "
        "into every pixel, as up to session 25)",
    )
    parser.add_argument(
        "--mix-tolerance",
        type=number_or_none,
        default=defaults.people.mix_tolerance,
        help="grow people's silhouettes only into pixels whose colour is a mix of the empty corridor's and "
        "a nearby pixel surely a person's, to this many levels (default %(default)s; 'none': by "
        "--grow-chance; RESULTS.md session 36)",
    )
    parser.add_argument(
        "--distinct-tolerance",
        type=number_or_none,
        default=defaults.people.distinct_tolerance,
        help="grow people's silhouettes by --grow-chance, less the grown pixels whose colour lies further "
        "than this many levels from every mix of the empty corridor's and a nearby pixel surely a "
        "person's (default %(default)s; 'none': all of them kept, the rule up to session 37; RESULTS.md "
        "sessions 37-38)",
    )
    parser.add_argument(
        "--piece-holds",
        type=number_or_none,
        default=defaults.piece_holds,
        help="a candidate touching a reported item joins it when this share of its pixels could have come "
        "when it did (default %(default)s; 'none': off, the rule up to session 37; RESULTS.md sessions "
        "37-38)",
    )
    parser.add_argument(
        "--blur-among-free",
        action=argparse.BooleanOptionalAction,
        default=defaults.blur_among_free,
        help="blur beside people among the pixels nobody stands on (default %(default)s)",
    )
    parser.add_argument(
        "--keep-apart",
        action=argparse.BooleanOptionalAction,
        default=defaults.keep_apart,
        help="two items seen with the empty floor between them stay two (default %(default)s; off: "
        "as up to session 27)",
    )
    parser.add_argument(
        "--lookback-skips-people",
        action=argparse.BooleanOptionalAction,
        default=defaults.anchors.lookback_skips_people,
        help="a new anchor's look-back skips the frames people's silhouettes (ungrown) covered its "
        "pixels, so a passer-by in an item's colour does not date it (default %(default)s; off: as up "
        "to session 31; RESULTS.md sessions 30-32)",
    )
    parser.add_argument(
        "--glimpse-kept",
        type=float,
        default=defaults.glimpse_kept,
        help="an item that has kept its box since first tracked is reported while this share of all its "
        "pixels shows it (default %(default)s, since session 34; 0.25, a quarter as for every item: off, "
        "as up to session 33; RESULTS.md sessions 33-34)",
    )
    parser.add_argument(
        "--sure-chance",
        type=float,
        default=defaults.people.sure_chance,
        help="with --lookback-skips-people: the silhouette chance above which a pixel is surely a person "
        "(default %(default)s)",
    )


def mask_params(args: argparse.Namespace) -> ClutterParams:
    """The rule's parameters with the options ``add_mask_options`` read."""
    base = ClutterParams.at_width(args.width)
    return replace(
        base,
        blur_among_free=bool(args.blur_among_free),
        keep_apart=bool(args.keep_apart),
        glimpse_kept=args.glimpse_kept,
        piece_holds=args.piece_holds,
        people=replace(
            base.people,
            grow_chance=args.grow_chance,
            sure_chance=args.sure_chance,
            mix_tolerance=args.mix_tolerance,
            distinct_tolerance=args.distinct_tolerance,
        ),
        anchors=replace(base.anchors, lookback_skips_people=bool(args.lookback_skips_people)),
    )


def truth_item(
    parser: argparse.ArgumentParser, truth_path: Path, item_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A clip's truth and one item of it, for the scripts that look at one item (a usage error if the
    clip has no such item)."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    items = {item["id"]: item for item in truth["items"]}
    if item_id not in items:
        parser.error(f"{truth_path} has no {item_id!r} (it has {', '.join(sorted(items))})")
    return truth, items[item_id]


def people_finder(choice: str, pool: SessionPool | None = None) -> PeopleFinder | None:
    """The person detector ``--people`` names, or None for 'none' (model-free) and 'truth' (each clip's
    own, ``exact_people``)."""
    if choice in ("none", TRUTH):
        return None
    return DetectedPeople(Detector.from_manifest(Path(choice), pool if pool is not None else SessionPool()))


def people_shapes(choice: str, pool: SessionPool | None = None) -> PeopleShapes | None:
    """The silhouette model ``--silhouettes`` names, or None for 'none' (people's boxes)."""
    if choice == "none":
        return None
    return PersonSilhouettes.from_manifest(Path(choice), pool if pool is not None else SessionPool())


def people_masks(
    people: str, silhouettes: str, pool: SessionPool | None = None
) -> tuple[PeopleFinder | None, PeopleShapes | None]:
    """The person detector and silhouette model the options name; silhouettes only outline the people a
    detector found, so none without one."""
    finder = people_finder(people, pool)
    return finder, people_shapes(silhouettes, pool) if finder is not None else None


def exact_people(people: str, clips: int) -> ExactPeople | None:
    """For ``--people truth``: a clip's people, known exactly (its set has ``clips`` clips); else None."""
    return partial(TruthPeople.of_clip, clips=clips) if people == TRUTH else None


def _truth_is_current(truth: dict[str, Any]) -> bool:
    """Written by this generator: the same ``seen_share``, and each item's share of its stay in view."""
    return truth.get("seen_share") == SEEN_SHARE and all("in_view" in i for i in truth["items"])


IN_VIEW_EDGES = (0.5, 0.8)


def by_in_view(
    scores: list[ClipScore], edges: tuple[float, ...] = IN_VIEW_EDGES
) -> list[tuple[str, int, int]]:
    """Items a camera could see come and stay, grouped by the share of their stay they were in view
    (people passing hide an item for a moment, people standing for long): (group, items, found)."""
    bounds = [0.0, *edges, 1.0]
    rows = []
    for low, high in itertools.pairwise(bounds):
        last = high == 1.0
        group = [found for s in scores for v, found in s.in_view if low <= v < high or (last and v == 1.0)]
        rows.append((f"{low:.0%}–{high:.0%}", len(group), sum(group)))
    unknown = [found for s in scores for v, found in s.in_view if math.isnan(v)]
    if unknown:
        rows.append(("unknown", len(unknown), sum(unknown)))
    return rows


@dataclass(frozen=True)
class ClipJob:
    """Clip ``k`` of a seed's set, as a worker process renders (unless it is there) and scores it."""

    out: Path
    seed: int
    k: int
    clips: int
    duration: float
    dwell: float

    def truth(self, progress: Callable[[str, float], None] | None = None) -> Path:
        """The clip's truth, rendered first unless it is there; the truth of a clip rendered before it
        said what a camera could see (``observable``) is written again (same scene, no new video)."""
        truth = self.out / f"corridor-{self.seed}-{self.k}.truth.json"
        rendered = (self.out / f"corridor-{self.seed}-{self.k}.mp4").exists() and truth.exists()
        if not rendered or not _truth_is_current(json.loads(truth.read_text(encoding="utf-8"))):
            write_corridor_clip(
                self.out,
                self.seed,
                self.k,
                self.clips,
                self.duration,
                self.dwell,
                progress,
                video=not rendered,
            )
        return truth


def clips_for(out: Path, seed: int, clips: int, duration: float, dwell: float) -> list[Path]:
    """The clips of a seed (``ClipJob.truth``), with a progress line while rendering."""
    started = time.monotonic()

    def progress(name: str, fraction: float) -> None:
        print(f"\r  rendering {name}: {fraction:5.0%}", end="", file=sys.stderr, flush=True)

    truths = [ClipJob(out, seed, k, clips, duration, dwell).truth(progress) for k in range(clips)]
    if time.monotonic() - started > 1:
        print(f"\rwrote {len(truths)} clips in {time.monotonic() - started:.0f}s into {out}", file=sys.stderr)
    return truths


# a worker process's person detector, silhouette model, rule parameters and ``--people`` (``_start_worker``)
_worker: tuple[PeopleFinder | None, PeopleShapes | None, ClutterParams, str] | None = None


def _start_worker(people: str, silhouettes: str, params: ClutterParams) -> None:
    """One thread for OpenCV and one for onnxruntime, so N workers fill N cores without fighting."""
    global _worker
    cv2.setNumThreads(1)
    pool = SessionPool(intra_op_threads=1)
    _worker = (*people_masks(people, silhouettes, pool), params, people)


def _score_job(job: ClipJob) -> ClipScore:
    assert _worker is not None, "_start_worker runs first in each worker"
    finder, shapes, params, people = _worker
    return score_clip(job.truth(), finder, shapes, params, exact_people(people, job.clips))


def score_in_workers(
    jobs: list[ClipJob], workers: int, people: str, silhouettes: str, params: ClutterParams
) -> list[ClipScore]:
    """Render (unless there) and score each clip in one of ``workers`` processes; scores in ``jobs``'
    order, with a progress line as clips finish."""
    started = time.monotonic()
    with ProcessPoolExecutor(
        workers, initializer=_start_worker, initargs=(people, silhouettes, params)
    ) as pool:
        futures = [pool.submit(_score_job, job) for job in jobs]
        for done, _ in enumerate(as_completed(futures), 1):
            print(
                f"\rscored {done}/{len(jobs)} clips in {time.monotonic() - started:.0f}s",
                end="",
                file=sys.stderr,
                flush=True,
            )
        print(file=sys.stderr)
        return [future.result() for future in futures]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=None, help="clip directory (default build/corridor-eval)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9, 10, 11, 12])
    parser.add_argument("--clips", type=int, default=3, help="per seed; the last one has no items")
    parser.add_argument("--duration", type=float, default=150.0)
    parser.add_argument("--dwell", type=float, default=20.0)
    parser.add_argument("--quick", action="store_true", help="seed 7, one 70 s clip (under a minute)")
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/clutter_eval.png"))
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes of one thread each (default 1: this process, onnxruntime's default threads); "
        "the ms/frame printed is then one thread's",
    )
    parser.add_argument("--per-clip", type=Path, help="write each clip's score here as a JSON line")
    parser.add_argument(
        "--summarize",
        type=Path,
        nargs="+",
        metavar="PER_CLIP",
        help="score nothing: print the tables and plot of the --per-clip files given (a run split across "
        "lanes or sessions; a clip in several files counts once, its last line)",
    )
    add_people_option(parser)
    add_mask_options(parser)
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, not {args.jobs}")
    if args.summarize:
        missing = [str(path) for path in args.summarize if not path.is_file()]
        if missing:
            parser.error(f"no such per-clip file: {', '.join(missing)}")
        print(f"per-clip scores from {' '.join(map(str, args.summarize))}")
        print()
        return report(read_per_clip(args.summarize), f"{len(args.summarize)} file(s)", args.plot)
    params = mask_params(args)
    if args.quick:
        args.seeds, args.clips, args.duration = [7], 1, 70.0
    out = args.out or Path("build/corridor-quick" if args.quick else "build/corridor-eval")

    if args.jobs > 1:
        jobs = [
            ClipJob(out, seed, k, args.clips, args.duration, args.dwell)
            for seed in args.seeds
            for k in range(args.clips)
        ]
        scores = score_in_workers(jobs, args.jobs, args.people, args.silhouettes, params)
    else:
        people, shapes = people_masks(args.people, args.silhouettes)
        exact = exact_people(args.people, args.clips)
        truths = [
            t for seed in args.seeds for t in clips_for(out, seed, args.clips, args.duration, args.dwell)
        ]
        scores = [score_clip(truth_path, people, shapes, params, exact) for truth_path in truths]
    if args.per_clip is not None:
        args.per_clip.parent.mkdir(parents=True, exist_ok=True)
        args.per_clip.write_text("".join(json.dumps(asdict(s)) + "\n" for s in scores), encoding="utf-8")
    print(
        (
            "people: as the renderer drew them (an ideal detector and silhouette model)"
            if args.people == TRUTH
            else f"people: {args.people}"
            + (
                f"; silhouettes: {args.silhouettes}"
                if "none" not in (args.people, args.silhouettes)
                else "; boxes"
            )
        )
        + (
            f"; grown into mixes within {args.mix_tolerance}"
            if args.mix_tolerance is not None
            else f"; grow_chance {args.grow_chance}"
        )
        + (
            f", less what lies over {args.distinct_tolerance} from every mix"
            if args.distinct_tolerance is not None and args.mix_tolerance is None
            else ""
        )
        + ("; blur among free pixels" if args.blur_among_free else "; no blur among free pixels")
        + ("; items seen apart stay two" if args.keep_apart else "; items seen apart may merge")
        + (
            f"; a piece joins a reported item it touches if {args.piece_holds} of it came with it"
            if args.piece_holds is not None
            else ""
        )
    )
    print()
    return report(scores, f"seeds {' '.join(map(str, args.seeds))}", args.plot, args.people != "none")


def read_per_clip(paths: list[Path]) -> list[ClipScore]:
    """The clips' scores ``--per-clip`` wrote, in the files' order; a clip scored again counts once."""
    scores: dict[str, ClipScore] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = json.loads(line)
            fields["in_view"] = [tuple(pair) for pair in fields["in_view"]]
            scores[fields["clip"]] = ClipScore(**fields)
    return list(scores.values())


def report(scores: list[ClipScore], label: str, plot: Path, with_people: bool = True) -> int:
    """Print the per-clip table and the summary lines, and save the plot; 0 when nothing was missed
    and nothing raised in error."""
    print(
        f"{'clip':<22}{'expected':>9}{'hidden':>7}{'alerts':>8}{'TP':>5}{'pile':>5}{'FP':>5}{'FN':>5}"
        f"{'excused':>8}"
        f"{'med|since err| s':>18}{'max|since err| s':>18}{'ms/frame':>10}"
    )
    for s in scores:
        errs = sorted(abs(e) for e in s.since_errors)
        med = errs[len(errs) // 2] if errs else 0.0
        worst = errs[-1] if errs else 0.0
        print(
            f"{s.clip:<22}{s.expected:>9}{s.hidden:>7}{s.alerts:>8}{s.tp:>5}{s.pile:>5}{s.fp:>5}{s.fn:>5}"
            f"{s.excused:>8}"
            f"{med:>18.2f}{worst:>18.2f}{s.ms_per_frame:>10.1f}"
        )
    tp, fp, fn, pile, hidden, excused, hidden_found = (
        sum(getattr(s, k) for s in scores)
        for k in ("tp", "fp", "fn", "pile", "hidden", "excused", "hidden_found")
    )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = (tp + pile) / (tp + pile + fn) if tp + pile + fn else 1.0
    strict = tp / (tp + pile + fn) if tp + pile + fn else 1.0
    errors = [e for s in scores for e in s.since_errors]
    abs_errors = sorted(abs(e) for e in errors)
    median_err = abs_errors[len(abs_errors) // 2] if abs_errors else 0.0
    max_err = abs_errors[-1] if abs_errors else 0.0
    ms = sorted(s.ms_per_frame for s in scores)[len(scores) // 2] if scores else 0.0
    share = sorted(s.detector_share for s in scores)[len(scores) // 2] if scores else 0.0
    print(
        f"\n{label}, {len(scores)} clips: precision {precision:.3f}  "
        f"recall {recall:.3f}  (TP {tp}, FP {fp}, FN {fn}, in a pile's alert {pile}; one alert per item: "
        f"recall {strict:.3f}); |since error| median {median_err:.2f}s "
        f"max {max_err:.2f}s (tolerance {SINCE_TOLERANCE_S}s); rule {ms:.1f} ms/frame (median clip)"
        + (f", person detector on {share:.0%} of frames (median clip)" if with_people else "")
    )
    # the letter: every item that stayed the dwell, those people stood in front of too
    all_items = tp + pile + fn + hidden
    every_recall = (tp + pile + hidden_found) / all_items if all_items else 1.0
    every_precision = (tp + hidden_found) / (tp + fp + excused) if tp + fp + excused else 1.0
    print(
        f"items a camera could see come and stay: {tp + pile + fn}; hidden by people (not seen within "
        f"{SINCE_TOLERANCE_S:.0f}s of placement, or not after the dwell): {hidden}, alerts pointing at them "
        f"{excused} (left out above). Counting hidden items as required: precision {every_precision:.3f} "
        f"recall {every_recall:.3f}"
    )
    print("by the share of its stay an item was in view (people in front of it hide it):")
    for group, items, found in by_in_view(scores):
        print(f"  in view {group:>9}: {items:4d} items, {found:4d} found, {items - found:3d} missed")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(errors, bins=20, color="tab:blue")
    ax.axvline(-SINCE_TOLERANCE_S, color="red", linestyle="--")
    ax.axvline(SINCE_TOLERANCE_S, color="red", linestyle="--")
    ax.set_xlabel("alert since − true placement (s)")
    ax.set_ylabel("items")
    ax.set_title(f"corridor_clutter: P={precision:.2f} R={recall:.2f} on {len(scores)} clips")
    fig.tight_layout()
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(plot, dpi=100)
    print(f"plot: {plot}")
    return 0 if fp == 0 and fn == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
