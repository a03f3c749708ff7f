"""Load and validate a district directory into a ``SiteRegistry``.

Every problem names the file and the id: an installer fixing a typo in ``cameras.yaml`` must not
have to guess which of 300 cameras is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import shapely
from pydantic import BaseModel
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from sharpeyes.config.loading import model_from_data, read_yaml
from sharpeyes.contract.case import GridPath
from sharpeyes.errors import ConfigError
from sharpeyes.registry.grid_index import GridIndex, Placement
from sharpeyes.registry.model import (
    Building,
    CameraEntry,
    Community,
    DeviceEntry,
    DistrictFile,
    Grid,
    Street,
)

M = TypeVar("M", bound=BaseModel)

# Grids share borders, and surveyed or rounded coordinates leave slivers along them; an overlap below
# this share of the smaller grid (0.1 %) is such a sliver, anything larger is a mapping mistake.
_OVERLAP_TOLERANCE = 1e-3


@dataclass(frozen=True)
class SiteRegistry:
    street: Street
    communities: dict[str, Community]
    grids: dict[str, Grid]
    polygons: dict[str, BaseGeometry]
    buildings: dict[str, Building]
    cameras: dict[str, CameraEntry]
    devices: dict[str, DeviceEntry]
    index: GridIndex


def _entries(model: type[M], path: Path, key: str) -> list[M]:
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ConfigError(str(path), key, f"expected a top-level '{key}:' list")
    return [model_from_data(model, item, str(path), f"{key}[{i}]") for i, item in enumerate(data[key])]


def _unique(items: Iterable[M], source: str, what: str) -> dict[str, M]:
    out: dict[str, M] = {}
    for item in items:
        ident: str = getattr(item, "id")  # noqa: B009 - every registry entry has an id
        if ident in out:
            raise ConfigError(source, f"{what} {ident}", "duplicate id")
        out[ident] = item
    return out


def _load_polygons(path: Path, grids: dict[str, Grid]) -> dict[str, BaseGeometry]:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    polygons: dict[str, BaseGeometry] = {}
    for i, feature in enumerate(collection.get("features", [])):
        grid_id = (feature.get("properties") or {}).get("grid_id")
        where = f"features[{i}]" + (f" grid {grid_id}" if grid_id else "")
        if grid_id not in grids:
            raise ConfigError(str(path), where, "properties.grid_id names no grid of district.yaml")
        if grid_id in polygons:
            raise ConfigError(str(path), where, "duplicate id: a second polygon for this grid")
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(str(path), where, f"invalid geometry: {exc}") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise ConfigError(str(path), where, f"expected a Polygon, got {geom.geom_type}")
        if not geom.is_valid:
            raise ConfigError(str(path), where, f"invalid polygon: {shapely.is_valid_reason(geom)}")
        polygons[grid_id] = geom
    missing = sorted(set(grids) - set(polygons))
    if missing:
        raise ConfigError(str(path), f"grid {missing[0]}", "no polygon for this grid")
    return polygons


def _check_overlaps(polygons: dict[str, BaseGeometry], source: str) -> None:
    ids = list(polygons)
    geoms = [polygons[i] for i in ids]
    tree = shapely.STRtree(geoms)
    for a, geom in enumerate(geoms):
        for b in tree.query(geom, predicate="intersects"):
            if b <= a:
                continue
            shared = geom.intersection(geoms[b]).area
            if shared > _OVERLAP_TOLERANCE * min(geom.area, geoms[b].area):
                raise ConfigError(source, f"grid {ids[a]}", f"overlaps grid {ids[b]}")


def load_registry(directory: Path) -> SiteRegistry:
    """Read ``district.yaml`` and the files it names from ``directory``; validate everything."""
    district_path = directory / "district.yaml"
    raw = read_yaml(district_path)
    district = model_from_data(DistrictFile, raw, str(district_path))
    src = str(district_path)

    communities = _unique(district.communities, src, "community")
    grids = _unique(district.grids, src, "grid")
    for grid in grids.values():
        if grid.community not in communities:
            raise ConfigError(src, f"grid {grid.id}", f"unknown community {grid.community}")

    poly_path = directory / district.grid_polygons
    polygons = _load_polygons(poly_path, grids)
    _check_overlaps(polygons, str(poly_path))

    b_path = directory / district.buildings
    buildings = _unique(_entries(Building, b_path, "buildings"), str(b_path), "building")
    c_path = directory / district.cameras
    cameras = _unique(_entries(CameraEntry, c_path, "cameras"), str(c_path), "camera")
    d_path = directory / district.devices
    devices = _unique(_entries(DeviceEntry, d_path, "devices"), str(d_path), "device")

    grid_paths = {
        g.id: GridPath(street=district.street.id, community=g.community, grid=g.id) for g in grids.values()
    }
    provisional = GridIndex(polygons, grid_paths)
    for b in buildings.values():
        if b.grid not in grids:
            raise ConfigError(str(b_path), f"building {b.id}", f"unknown grid {b.grid}")
        found = provisional.locate(b.lon, b.lat)
        if found is None:
            raise ConfigError(str(b_path), f"building {b.id}", "building is outside every grid")
        if found != b.grid and not polygons[b.grid].intersects(shapely.Point(b.lon, b.lat)):
            raise ConfigError(
                str(b_path), f"building {b.id}", f"declared in grid {b.grid} but lies in {found}"
            )

    sources: dict[str, Placement] = {}
    for cam in cameras.values():
        if cam.building not in buildings:
            raise ConfigError(str(c_path), f"camera {cam.id}", f"unknown building {cam.building}")
        b = buildings[cam.building]
        sources[cam.id] = Placement(provisional.grid_path(b.grid, b.id), cam.floor)
    for dev in devices.values():
        if dev.id in sources:
            raise ConfigError(str(d_path), f"device {dev.id}", "duplicate id: a camera has this id")
        if dev.building is not None:
            if dev.building not in buildings:
                raise ConfigError(str(d_path), f"device {dev.id}", f"unknown building {dev.building}")
            b = buildings[dev.building]
            sources[dev.id] = Placement(provisional.grid_path(b.grid, b.id), dev.floor)
        else:
            assert dev.lon is not None and dev.lat is not None  # noqa: S101 - checked by DeviceEntry
            path = provisional.locate_path(dev.lon, dev.lat)
            if path is None:
                raise ConfigError(str(d_path), f"device {dev.id}", "location is outside every grid")
            sources[dev.id] = Placement(path, dev.floor)

    return SiteRegistry(
        street=district.street,
        communities=communities,
        grids=grids,
        polygons=polygons,
        buildings=buildings,
        cameras=cameras,
        devices=devices,
        index=GridIndex(polygons, grid_paths, sources),
    )
