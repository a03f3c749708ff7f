"""Case categories sent to the case system: a code and a Chinese and English name per alert kind.

The codes are this project's own (``SE-`` + group + item); a city whose case system has its own
catalogue maps them on its side, or in the Open311 ``service_code``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sharpeyes.contract import AlertKind


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str


CATEGORIES: dict[AlertKind, Category] = {
    AlertKind.CORRIDOR_CLUTTER: Category(
        "SE-0101", "楼道堆物（消防通道占用）", "Corridor or fire-escape clutter"
    ),
    AlertKind.EBIKE_INDOOR: Category("SE-0201", "电动车入户", "E-bike taken indoors"),
    AlertKind.EBIKE_CHARGING: Category("SE-0202", "电动车违规充电", "Unsafe e-bike charging"),
    AlertKind.HIGH_ALTITUDE_THROW: Category("SE-0301", "高空抛物", "Object thrown or fallen from height"),
    AlertKind.SMOKE: Category("SE-0401", "烟感报警", "Smoke alarm"),
    AlertKind.FIRE_DOOR_OPEN: Category("SE-0402", "防火门常开", "Fire door left open"),
    AlertKind.WATER_LEVEL: Category("SE-0501", "水位告警", "High water level"),
}


def category_of(kind: AlertKind) -> Category:
    return CATEGORIES[kind]
