"""Generate the demo district in ``configs/district-demo/`` with a fixed seed.

Shaped like a real street office (街道): 9 communities (社区) split into 43 grids (网格), about 200
buildings, a few hundred cameras and IoT devices. Boundaries are Voronoi cells, so they are irregular
like real ones and never overlap. Run: ``python scripts/gen_district.py [--seed 7] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import shapely
import yaml
from shapely.geometry import MultiPoint, Point, box, mapping

STREET = {"id": "st-xinhe", "name": "新河街道"}
COMMUNITY_NAMES = ["翠苑", "文新", "古荡", "嘉绿", "府苑", "学院", "登云", "星洲", "湖畔"]
GRIDS_PER_COMMUNITY = [5, 5, 5, 5, 5, 5, 5, 4, 4]  # 43 grids
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
]

# a 2.2 km x 2.2 km street office around (120.130 E, 30.280 N)
LON0, LAT0, SPAN = 120.120, 30.270, 0.022


def _voronoi(region: shapely.Polygon, n: int, rng: random.Random) -> list[shapely.Polygon]:
    """Split ``region`` into ``n`` cells around spread-out seeds (best of a few candidates each)."""
    minx, miny, maxx, maxy = region.bounds
    seeds: list[Point] = []
    while len(seeds) < n:
        best, best_d = None, -1.0
        for _ in range(12):
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if not region.contains(p):
                continue
            d = min((p.distance(s) for s in seeds), default=1.0)
            if d > best_d:
                best, best_d = p, d
        if best is not None:
            seeds.append(best)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region)
    ordered = []
    for seed in seeds:  # voronoi order is not seed order
        cell = next(c for c in cells.geoms if c.contains(seed))
        ordered.append(shapely.set_precision(cell.intersection(region), 1e-7))
    return ordered


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def generate(seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    street_poly = box(LON0, LAT0, LON0 + SPAN, LAT0 + SPAN)
    community_polys = _voronoi(street_poly, 9, rng)
    communities, grids, features, buildings, cameras, devices = [], [], [], [], [], []
    grid_polys: list[tuple[str, shapely.Polygon]] = []
    for ci, (cpoly, name) in enumerate(zip(community_polys, COMMUNITY_NAMES, strict=True)):
        cid = f"cm-{ci + 1:02d}"
        communities.append({"id": cid, "name": f"{name}社区"})
        for gi, gpoly in enumerate(_voronoi(cpoly, GRIDS_PER_COMMUNITY[ci], rng)):
            gid = f"gr-{ci + 1:02d}-{gi + 1:02d}"
            worker = _person(rng)
            grids.append(
                {
                    "id": gid,
                    "name": f"{name}社区第{gi + 1}网格",
                    "community": cid,
                    "worker": {
                        "id": f"gw-{ci + 1:02d}{gi + 1:02d}",
                        "name": worker,
                        "phone": f"1{rng.randint(30, 89)}{rng.randint(0, 99_999_999):08d}",
                    },
                }
            )
            features.append({"type": "Feature", "properties": {"grid_id": gid}, "geometry": mapping(gpoly)})
            grid_polys.append((gid, gpoly))

    # about 200 buildings: 4-6 per grid, inside the grid with a margin from its edges
    roads = ["文一路", "文二路", "学院路", "古墩路", "教工路", "萍水街", "紫荆花路", "湖墅南路"]
    n_building = 0
    for gid, gpoly in grid_polys:
        inner = gpoly.buffer(-0.0004)
        if inner.is_empty:
            inner = gpoly.buffer(-0.0001)
        minx, miny, maxx, maxy = inner.bounds
        for _ in range(rng.choice([4, 4, 5, 5, 6])):
            for _try in range(200):
                p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                if inner.contains(p):
                    break
            n_building += 1
            bid = f"B-{n_building:03d}"
            floors = rng.choice([6, 6, 7, 11, 18, 24, 26, 32])
            buildings.append(
                {
                    "id": bid,
                    "name": f"{n_building}幢",
                    "grid": gid,
                    "floors": floors,
                    "address": f"{rng.choice(roads)}{rng.randint(1, 400)}号{n_building}幢",
                    "lon": round(p.x, 7),
                    "lat": round(p.y, 7),
                }
            )
            slug = bid.lower()
            # every building: a facade camera; lifts in tall ones; corridor cameras on some floors
            cameras.append(
                {"id": f"cam-{slug}-facade", "building": bid, "kind": "facade", "location": "东立面"}
            )
            if floors > 7:
                cameras.append(
                    {
                        "id": f"cam-{slug}-lift",
                        "building": bid,
                        "kind": "elevator",
                        "floor": None,
                        "location": "1号电梯轿厢",
                    }
                )
            if rng.random() < 0.5:
                fl = rng.randint(1, floors)
                cameras.append(
                    {
                        "id": f"cam-{slug}-f{fl:02d}-corridor",
                        "building": bid,
                        "kind": "corridor",
                        "floor": fl,
                        "location": f"{fl}层楼道",
                    }
                )
            for fl in sorted(rng.sample(range(1, floors + 1), k=min(2, floors))):
                devices.append(
                    {"id": f"smk-{slug}-f{fl:02d}", "type": "smoke_detector", "building": bid, "floor": fl}
                )
            if rng.random() < 0.6:
                devices.append({"id": f"skt-{slug}-1", "type": "smart_socket", "building": bid, "floor": 1})
            if rng.random() < 0.4:
                devices.append(
                    {
                        "id": f"door-{slug}-1",
                        "type": "fire_door_contact",
                        "building": bid,
                        "floor": rng.randint(1, floors),
                    }
                )
    # street-level water sensors placed only by location (point-in-polygon at run time)
    for i in range(12):
        gid, gpoly = grid_polys[rng.randrange(len(grid_polys))]
        p = gpoly.representative_point()
        devices.append(
            {"id": f"wl-{i + 1:02d}", "type": "water_level", "lon": round(p.x, 7), "lat": round(p.y, 7)}
        )

    return {
        "district": {
            "street": STREET,
            "communities": communities,
            "grids": grids,
            "grid_polygons": "grids.geojson",
            "buildings": "buildings.yaml",
            "cameras": "cameras.yaml",
            "devices": "devices.yaml",
        },
        "geojson": {"type": "FeatureCollection", "features": features},
        "buildings": {"buildings": buildings},
        "cameras": {"cameras": cameras},
        "devices": {"devices": devices},
    }


def write(out: Path, seed: int) -> None:
    data = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    header = f"# generated by scripts/gen_district.py --seed {seed}; edit the script, not this file\n"

    def dump(name: str, payload: object) -> None:
        (out / name).write_text(
            header + yaml.safe_dump(payload, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    dump("district.yaml", data["district"])
    dump("buildings.yaml", data["buildings"])
    dump("cameras.yaml", data["cameras"])
    dump("devices.yaml", data["devices"])
    (out / "grids.geojson").write_text(
        json.dumps(data["geojson"], ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "configs/district-demo"
    )
    args = parser.parse_args()
    write(args.out, args.seed)
    print(f"wrote {args.out}")
