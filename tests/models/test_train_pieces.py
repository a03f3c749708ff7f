"""The training side (only where torch is installed, the ``[train]`` extra): label assignment and the
ONNX export's layout and runtime agreement, on a tiny untrained network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from models.train.assign import assign  # noqa: E402
from models.train.export import check_runtimes, export_onnx  # noqa: E402
from models.train.net import IndoorDet, anchor_grid  # noqa: E402

pytestmark = pytest.mark.slow


def test_assignment_picks_cells_inside_the_box_with_its_class() -> None:
    points, _ = anchor_grid([(8, 8), (4, 4), (2, 2)], torch.device("cpu"))  # a 64x64 input
    n = len(points)
    gt = torch.tensor([[[8.0, 8.0, 40.0, 40.0]]])
    pred = torch.tensor([8.0, 8.0, 40.0, 40.0]).expand(1, n, 4).clone()
    scores = torch.full((1, n, 3), 0.5)
    targets = assign(scores, pred, points, gt, torch.tensor([[2]]), topk=5)
    fg = targets.foreground[0]
    assert int(fg.sum()) == 5
    inside = (points[:, 0] > 8) & (points[:, 0] < 40) & (points[:, 1] > 8) & (points[:, 1] < 40)
    assert bool(inside[fg].all())
    assert torch.equal(targets.scores[0, fg].argmax(1), torch.full((5,), 2))
    assert float(targets.scores[0, fg].max()) == pytest.approx(1.0)  # perfect IoU: quality 1
    assert float(targets.scores[0, ~fg].abs().sum()) == 0.0


def test_padding_rows_get_no_cells() -> None:
    points, _ = anchor_grid([(8, 8), (4, 4), (2, 2)], torch.device("cpu"))
    n = len(points)
    gt = torch.tensor([[[8.0, 8.0, 40.0, 40.0]]])
    targets = assign(torch.full((1, n, 3), 0.5), torch.zeros(1, n, 4), points, gt, torch.tensor([[-1]]))
    assert not bool(targets.foreground.any())


def test_export_is_yolov8_layout_and_opencv_agrees_with_onnxruntime(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = IndoorDet(7, (8, 8, 16, 16, 32)).eval()
    path = export_onnx(model, 64, tmp_path / "tiny.onnx")
    rng = np.random.default_rng(0)
    blobs = [rng.random((1, 3, 64, 64), dtype=np.float32) for _ in range(2)]
    assert check_runtimes(path, blobs, atol=1e-3) <= 1e-3
    import onnxruntime as ort

    out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"images": blobs[0]})[
        0
    ]
    assert out.shape == (1, 4 + 7, 64 + 16 + 4)
    assert ((out[0, 4:] >= 0) & (out[0, 4:] <= 1)).all()  # sigmoid scores
    assert (out[0, 2:4] > 0).all()  # widths and heights
    with torch.no_grad():
        maps = model(torch.from_numpy(blobs[0]))
    from models.train.net import decode_outputs

    xyxy, logits = decode_outputs(maps)
    centre = ((xyxy[0, :, :2] + xyxy[0, :, 2:]) / 2).numpy().T
    np.testing.assert_allclose(out[0, :2], centre, atol=1e-3)
    np.testing.assert_allclose(out[0, 4:], torch.sigmoid(logits[0]).numpy().T, atol=1e-5)
