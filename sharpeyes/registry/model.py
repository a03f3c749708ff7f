"""The site registry's entries, as the district files declare them (街道 → 社区 → 网格 → 楼栋)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from sharpeyes.config.camera import CameraKind, ConfigModel

Id = str


class GridWorker(ConfigModel):
    """The grid worker (网格员) who owns a grid and receives its cases."""

    id: Id = Field(min_length=1)
    name: str = Field(min_length=1)
    phone: str | None = None


class Street(ConfigModel):
    id: Id = Field(min_length=1)
    name: str = Field(min_length=1)


class Community(ConfigModel):
    id: Id = Field(min_length=1)
    name: str = Field(min_length=1)


class Grid(ConfigModel):
    id: Id = Field(min_length=1)
    name: str = Field(min_length=1)
    community: Id = Field(min_length=1)
    worker: GridWorker


class Building(ConfigModel):
    id: Id = Field(min_length=1)
    name: str = Field(min_length=1)
    grid: Id = Field(min_length=1)
    floors: int = Field(ge=1, le=200)
    address: str = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class CameraEntry(ConfigModel):
    id: Id = Field(min_length=1)
    building: Id = Field(min_length=1)
    kind: CameraKind
    floor: int | None = None
    location: str = ""


class DeviceType(StrEnum):
    SMOKE_DETECTOR = "smoke_detector"
    SMART_SOCKET = "smart_socket"
    FIRE_DOOR_CONTACT = "fire_door_contact"
    WATER_LEVEL = "water_level"


class DeviceEntry(ConfigModel):
    """An IoT device: on a building floor, or (street furniture, pumps) only at a location."""

    id: Id = Field(min_length=1)
    type: DeviceType
    building: Id | None = None
    floor: int | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)

    @model_validator(mode="after")
    def _placed(self) -> DeviceEntry:
        if self.building is None and (self.lon is None or self.lat is None):
            raise ValueError("a device needs a building or a lon/lat location")
        return self


class DistrictFile(ConfigModel):
    """``district.yaml``: the hierarchy, and the names of the files holding the rest."""

    street: Street
    communities: list[Community] = Field(min_length=1)
    grids: list[Grid] = Field(min_length=1)
    grid_polygons: str = Field(default="grids.geojson", description="GeoJSON FeatureCollection, lon/lat")
    buildings: str = "buildings.yaml"
    cameras: str = "cameras.yaml"
    devices: str = "devices.yaml"
