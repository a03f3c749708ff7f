"""``GridIndex``: point → grid cell and source id → grid path, in time that does not grow with the city.

Point lookups go through a shapely STRtree (a bulk-loaded R-tree): O(log n) candidate boxes, then
an exact point-in-polygon test on the few candidates. Source lookups are one dict access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from sharpeyes.contract.case import GridPath


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an alert's source is: its grid path, and the floor when the source is on one."""

    path: GridPath
    floor: int | None = None


class GridIndex:
    def __init__(
        self,
        polygons: Mapping[str, BaseGeometry],
        grid_paths: Mapping[str, GridPath],
        sources: Mapping[str, Placement] | None = None,
    ) -> None:
        self._ids = list(polygons)
        geoms = [polygons[g] for g in self._ids]
        for geom in geoms:
            shapely.prepare(geom)
        self._geoms = geoms
        self._tree = STRtree(geoms)
        self._grid_paths = dict(grid_paths)
        self._sources = dict(sources or {})

    def __len__(self) -> int:
        return len(self._ids)

    def locate(self, lon: float, lat: float) -> str | None:
        """The grid containing the point (boundary points belong to one of the touching grids)."""
        point = shapely.Point(lon, lat)
        candidates = self._tree.query(point)
        for i in candidates:
            if self._geoms[i].intersects(point):
                return self._ids[i]
        return None

    def grid_path(self, grid_id: str, building: str | None = None) -> GridPath:
        base = self._grid_paths[grid_id]
        return base if building is None else base.model_copy(update={"building": building})

    def locate_path(self, lon: float, lat: float) -> GridPath | None:
        grid = self.locate(lon, lat)
        return None if grid is None else self._grid_paths[grid]

    def place_source(self, source_id: str) -> Placement | None:
        """Camera or device id → where it is; ``None`` for a source the registry does not know."""
        return self._sources.get(source_id)

    def has_grid(self, grid_id: str) -> bool:
        return grid_id in self._grid_paths
