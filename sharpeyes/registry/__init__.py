"""The site registry: the district's hierarchy, polygons, buildings, cameras and IoT devices."""

from sharpeyes.registry.grid_index import GridIndex, Placement
from sharpeyes.registry.loader import SiteRegistry, load_registry
from sharpeyes.registry.model import (
    Building,
    CameraEntry,
    Community,
    DeviceEntry,
    DeviceType,
    Grid,
    GridWorker,
)

__all__ = [
    "Building",
    "CameraEntry",
    "Community",
    "DeviceEntry",
    "DeviceType",
    "Grid",
    "GridIndex",
    "GridWorker",
    "Placement",
    "SiteRegistry",
    "load_registry",
]
