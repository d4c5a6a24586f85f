"""The full-size protocol prepares each image once for all backends of a session, within a memory budget, and
scores it exactly as a pass that prepares it again."""
from __future__ import annotations

import numpy as np
from PIL import Image

from srcnn_support.score.fullsize import FullSizeImages, evaluate_files


def _photos(folder, sizes):
    rng = np.random.default_rng(0)
    paths = []
    for i, (width, height) in enumerate(sizes):
        path = folder / f"photo{i}.png"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_shared_images_score_as_images_prepared_again(tmp_path):
    files = _photos(tmp_path, [(41, 30), (64, 48)])  # odd side: cropped to a multiple of the scale first
    shared = FullSizeImages()
    first = evaluate_files(None, files, infer=lambda plane: plane * 1.01, images=shared)
    again = evaluate_files(None, files, infer=lambda plane: plane * 1.01, images=shared)
    alone = evaluate_files(None, files, infer=lambda plane: plane * 1.01)
    assert first == again == alone and (first[0].width, first[0].height) == (40, 30)
    assert shared.get(files[0]) is shared.get(files[0])  # kept, not prepared again


def test_images_past_the_budget_are_prepared_again_not_kept(tmp_path):
    files = _photos(tmp_path, [(64, 64), (64, 64)])
    one_image = FullSizeImages().get(files[0]).nbytes
    images = FullSizeImages(budget_bytes=one_image)
    images.get(files[0])
    assert images.get(files[1]) is not images.get(files[1]) and images.get(files[0]) is images.get(files[0])
