"""Grid lookup cost as the district grows: point → grid cell via GridIndex (STRtree) vs a linear scan.

    python benchmarks/grid_lookup.py [--quick]

Prints a table (median µs per lookup over rounds, at 43 … 10,000 grid cells) and saves
benchmarks/plots/grid_lookup.png. The linear scan is the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, box

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharpeyes.contract.case import GridPath
from sharpeyes.registry.grid_index import GridIndex

PLOTS = Path(__file__).resolve().parent / "plots"


def make_cells(n: int, seed: int) -> dict[str, shapely.Polygon]:
    rng = random.Random(seed)
    region = box(0, 0, 1, 1)
    seeds = MultiPoint([(rng.random(), rng.random()) for _ in range(n)])
    cells = shapely.voronoi_polygons(seeds, extend_to=region)
    return {f"g{i}": c.intersection(region) for i, c in enumerate(cells.geoms)}


def time_lookups(fn, points: list[tuple[float, float]], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    per_round = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for lon, lat in points:
            fn(lon, lat)
        per_round.append((time.perf_counter() - t0) / len(points) * 1e6)
    return per_round


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer points and rounds (< 1 minute)")
    args = ap.parse_args()
    sizes = [43, 1_000, 10_000]
    n_points, rounds = (2_000, 3) if args.quick else (20_000, 7)
    rng = random.Random(1)
    points = [(rng.random(), rng.random()) for _ in range(n_points)]
    rows = []
    for n in sizes:
        cells = make_cells(n, seed=n)
        paths = {g: GridPath(street="s", community="c", grid=g) for g in cells}
        index = GridIndex(cells, paths)
        ids, geoms = list(cells), list(cells.values())
        for g in geoms:
            shapely.prepare(g)

        def scan(lon: float, lat: float, ids: list[str] = ids, geoms: list = geoms) -> str | None:  # type: ignore[type-arg]
            p = shapely.Point(lon, lat)
            for gid, geom in zip(ids, geoms, strict=True):
                if geom.intersects(p):
                    return gid
            return None

        index.locate(0.5, 0.5)  # warm-up
        indexed = statistics.median(time_lookups(index.locate, points, rounds))
        scan_points = points[: max(200, n_points // (n // 43 + 1))]
        linear = statistics.median(time_lookups(scan, scan_points, max(1, rounds // 2)))
        rows.append((n, indexed, linear))

    print(f"grid lookup, {n_points} random points, median of {rounds} rounds (µs per lookup)")
    print(f"{'cells':>8} | {'GridIndex':>10} | {'linear scan':>12} | {'speed-up':>8}")
    print(f"{'-' * 8}-+-{'-' * 10}-+-{'-' * 12}-+-{'-' * 8}")
    for n, idx, lin in rows:
        print(f"{n:>8} | {idx:>10.2f} | {lin:>12.1f} | {lin / idx:>7.0f}x")
    growth = rows[-1][1] / rows[0][1]
    print(f"GridIndex cost at {sizes[-1]} cells / at {sizes[0]} cells: {growth:.2f}x (flat = about 1)")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    PLOTS.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([r[0] for r in rows], [r[1] for r in rows], "o-", label="GridIndex (STRtree)")
    ax.plot([r[0] for r in rows], [r[2] for r in rows], "s--", label="linear scan (baseline)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="grid cells",
        ylabel="µs per lookup (median)",
        title="Point → grid cell lookup cost",
    )
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOTS / "grid_lookup.png", dpi=120)
    print(f"plot: {PLOTS / 'grid_lookup.png'}")


if __name__ == "__main__":
    main()
