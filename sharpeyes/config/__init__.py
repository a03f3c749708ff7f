"""Configuration models and the one loader that reads them from YAML."""

from sharpeyes.config.camera import CameraConfig, CameraKind, FacadeConfig, Zone, mask_credentials
from sharpeyes.config.loading import load_model, model_from_data, read_yaml

__all__ = [
    "CameraConfig",
    "CameraKind",
    "FacadeConfig",
    "Zone",
    "load_model",
    "mask_credentials",
    "model_from_data",
    "read_yaml",
]
