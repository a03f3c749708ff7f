from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
import yaml

from sharpeyes.errors import ConfigError
from sharpeyes.registry import SiteRegistry, load_registry


@pytest.fixture(scope="module")
def registry(demo_district: Path) -> SiteRegistry:
    return load_registry(demo_district)


def test_demo_district_is_shaped_like_a_street_office(registry: SiteRegistry) -> None:
    assert len(registry.communities) == 9
    assert len(registry.grids) == 43
    assert 180 <= len(registry.buildings) <= 220
    assert len(registry.cameras) >= 200
    assert len(registry.devices) >= 200
    assert all(g.worker.name for g in registry.grids.values())


def test_ten_thousand_points_match_a_brute_force_scan(registry: SiteRegistry) -> None:
    rng = random.Random(20261121)
    minx, miny, maxx, maxy = shapely.union_all(list(registry.polygons.values())).bounds
    pad = 0.002  # some points fall outside the district
    mismatches = []
    for _ in range(10_000):
        lon, lat = rng.uniform(minx - pad, maxx + pad), rng.uniform(miny - pad, maxy + pad)
        point = shapely.Point(lon, lat)
        brute = [gid for gid, poly in registry.polygons.items() if poly.intersects(point)]
        found = registry.index.locate(lon, lat)
        if (found is None and brute) or (found is not None and found not in brute):
            mismatches.append((lon, lat, found, brute))
    assert mismatches == []


def test_points_outside_the_district_are_in_no_grid(registry: SiteRegistry) -> None:
    assert registry.index.locate(0.0, 0.0) is None


def test_sources_resolve_to_their_grid_path(registry: SiteRegistry) -> None:
    cam = next(iter(registry.cameras.values()))
    building = registry.buildings[cam.building]
    placement = registry.index.place_source(cam.id)
    assert placement is not None
    assert placement.path.building == building.id
    assert placement.path.grid == building.grid
    assert placement.path.community == registry.grids[building.grid].community
    assert placement.path.street == registry.street.id
    assert registry.index.place_source("cam-nowhere") is None


def test_location_only_devices_are_placed_by_point_in_polygon(registry: SiteRegistry) -> None:
    located = [d for d in registry.devices.values() if d.building is None]
    assert located, "the demo district has street-level sensors placed only by location"
    for dev in located:
        placement = registry.index.place_source(dev.id)
        assert placement is not None
        assert placement.path.building is None
        assert registry.polygons[placement.path.grid].intersects(shapely.Point(dev.lon, dev.lat))


# --- validation: each broken district names the file and the id ---------------------------------


def _edit_yaml(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        change(data)
        (root / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    return apply


def _overlap(root: Path) -> None:
    path = root / "grids.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    first = shapely.geometry.shape(fc["features"][0]["geometry"])
    fc["features"][1]["geometry"] = shapely.geometry.mapping(first.buffer(0.0005))
    path.write_text(json.dumps(fc), encoding="utf-8")


def _move_building_out(data: dict) -> None:
    data["buildings"][3]["lon"] = 100.0


def _duplicate_camera(data: dict) -> None:
    data["cameras"].append(dict(data["cameras"][0]))


def _camera_on_unknown_building(data: dict) -> None:
    data["cameras"][5]["building"] = "B-999"


def _typo_field(data: dict) -> None:
    data["buildings"][0]["flors"] = 3


def _duplicate_grid(data: dict) -> None:
    data["grids"].append(dict(data["grids"][0]))


@pytest.mark.parametrize(
    ("mutate", "file", "words"),
    [
        pytest.param(_overlap, "grids.geojson", "overlaps grid", id="overlapping-grids"),
        pytest.param(
            _edit_yaml("buildings.yaml", _move_building_out),
            "buildings.yaml",
            "building B-004: building is outside every grid",
            id="building-outside",
        ),
        pytest.param(
            _edit_yaml("cameras.yaml", _duplicate_camera),
            "cameras.yaml",
            "duplicate id",
            id="duplicate-camera",
        ),
        pytest.param(
            _edit_yaml("cameras.yaml", _camera_on_unknown_building),
            "cameras.yaml",
            "unknown building B-999",
            id="camera-unknown-building",
        ),
        pytest.param(
            _edit_yaml("buildings.yaml", _typo_field),
            "buildings.yaml",
            "buildings[0].flors: unknown field",
            id="typo-in-field",
        ),
        pytest.param(
            _edit_yaml("district.yaml", _duplicate_grid),
            "district.yaml",
            "grid gr-01-01: duplicate id",
            id="duplicate-grid",
        ),
    ],
)
def test_broken_districts_name_file_and_id(
    demo_district: Path, tmp_path: Path, mutate: Callable[[Path], None], file: str, words: str
) -> None:
    root = tmp_path / "district"
    shutil.copytree(demo_district, root)
    mutate(root)
    with pytest.raises(ConfigError) as caught:
        load_registry(root)
    assert caught.value.source.endswith(file)
    assert words in str(caught.value)
