"""The suite's derived files, each built once through the artifact cache and keyed by its inputs."""
from __future__ import annotations

from pathlib import Path

from srcnn_support.cache import ArtifactCache, code_version, sha256_file
from srcnn_support.convert.atc import ATC_CODE_MODULES, AtcRequest, atc_version, convert, find_atc
from srcnn_support.export.onnx_export import EXPORT_CODE_MODULES, export_onnx, onnx_sha256
from srcnn_support.model.network import load_model
from srcnn_support.prepare.imaging import CROP_SIZE, SCALE
from srcnn_support.prepare.prep import PREP_CODE_MODULES, PreparedImage, load_prepared, prepare_image


def prepared_images(cache: ArtifactCache, files: list[Path], size: int = CROP_SIZE,
                    scale: int = SCALE) -> list[PreparedImage]:
    """One cached artifact per image: changing one image re-prepares that image only."""
    images = []
    version = code_version(PREP_CODE_MODULES)
    for source in files:
        parts = {"image_sha256": sha256_file(source), "name": source.stem, "size": size, "scale": scale,
                 "code": version}
        directory = cache.get_or_build("prep", parts, lambda tmp, s=source: prepare_image(s, tmp, size, scale))
        images.append(load_prepared(directory, source.stem, size))
    return images


def onnx_model(cache: ArtifactCache, weights: Path, batch_size: int | None) -> Path:
    """``batch_size=None``: dynamic batch (and spatial size) for runtimes; an int: fixed, for ATC."""
    parts = {"weights_sha256": sha256_file(weights), "batch_size": batch_size,
             "code": code_version(EXPORT_CODE_MODULES)}
    name = f"srcnn_x2_bs{batch_size}.onnx" if batch_size else "srcnn_x2_dynamic.onnx"
    directory = cache.get_or_build("onnx", parts, lambda tmp: export_onnx(load_model(weights), tmp / name, batch_size))
    return directory / name


def given_onnx(path: Path) -> Path:
    """``--onnx``: the user's own model, used as is after checking its input and output (``check_onnx_file``)."""
    from srcnn_support.export.onnx_export import check_onnx_file

    check_onnx_file(Path(path))
    return Path(path)


def om_model(cache: ArtifactCache, onnx_path: Path, batch_size: int, soc_version: str, precision_mode: str) -> Path:
    atc = find_atc()
    parts = {"onnx_sha256": onnx_sha256(onnx_path), "batch_size": batch_size, "soc_version": soc_version,
             "precision_mode": precision_mode, "atc_version": atc_version(atc), "code": code_version(ATC_CODE_MODULES)}
    stem = f"srcnn_x2_bs{batch_size}"

    def build(tmp: Path) -> None:
        convert(AtcRequest(str(onnx_path), str(tmp / stem), batch_size, soc_version, precision_mode), tmp)

    return cache.get_or_build("om", parts, build) / f"{stem}.om"
