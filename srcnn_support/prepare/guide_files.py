"""The guide's file contracts: ``.bin`` inputs, the info file, and the inference tool's dump directory.

The guide writes each Y plane **transposed** (column-major, W x H) as raw little-endian float32;
its post-processing transposes back. ``Layout.GUIDE`` reproduces that byte for byte,
``Layout.NATURAL`` is the untransposed plane the reference script feeds the network.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.atomic import atomic_write_bytes, atomic_write_text
from srcnn_support.errors import SrcnnGateError

FLOAT32_LE = np.dtype("<f4")


class Layout(str, enum.Enum):
    GUIDE = "guide"  # transposed, as the guide's preprocessing writes it
    NATURAL = "natural"  # row-major H x W, as the reference script uses it

    def to_file_order(self, plane: np.ndarray) -> np.ndarray:
        return plane.T if self is Layout.GUIDE else plane

    def from_file_order(self, plane: np.ndarray) -> np.ndarray:
        return plane.T if self is Layout.GUIDE else plane


def encode_bin(plane: np.ndarray, layout: Layout) -> bytes:
    return np.ascontiguousarray(layout.to_file_order(np.asarray(plane, dtype=np.float32))).astype(FLOAT32_LE).tobytes()


def write_bin(path: Path, plane: np.ndarray, layout: Layout) -> None:
    atomic_write_bytes(path, encode_bin(plane, layout))


def read_bin(path: Path, height: int, width: int, layout: Layout) -> np.ndarray:
    """Read one plane back to natural H x W order; a wrong byte count is an error naming both sizes."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise SrcnnGateError(path, "bin file not found") from None
    expected = height * width * FLOAT32_LE.itemsize
    if len(data) != expected:
        raise SrcnnGateError(
            path, f"bin file has {len(data)} bytes, expected {expected} ({height}x{width} float32)"
        )
    rows, cols = (width, height) if layout is Layout.GUIDE else (height, width)
    plane = np.frombuffer(data, dtype=FLOAT32_LE).reshape(rows, cols)
    return np.ascontiguousarray(layout.from_file_order(plane)).astype(np.float32)


@dataclass(frozen=True)
class InfoEntry:
    index: int
    path: str
    width: int
    height: int


def format_info(bin_paths: list[Path], width: int, height: int) -> str:
    return "".join(f"{i} {p} {width} {height}\n" for i, p in enumerate(bin_paths))


def write_info(bin_dir: Path, info_path: Path, width: int, height: int) -> list[InfoEntry]:
    """``get_info.py bin DIR OUT.info W H``: one line per ``.bin`` file, in name order."""
    bin_dir = Path(bin_dir)
    if not bin_dir.is_dir():
        raise SrcnnGateError(bin_dir, "bin directory not found")
    bins = sorted(bin_dir.glob("*.bin"))
    if not bins:
        raise SrcnnGateError(bin_dir, "no .bin files found")
    text = format_info(bins, width, height)
    atomic_write_text(Path(info_path), text)
    return parse_info_text(text, info_path)


def parse_info_text(text: str, source: str | Path) -> list[InfoEntry]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        # The path is whatever lies between the index and the two sizes: a name may hold spaces.
        head, _, rest = line.strip().partition(" ")
        path_and_sizes = rest.strip().rsplit(None, 2)
        fields = [head, *path_and_sizes] if len(path_and_sizes) == 3 else line.split()
        if len(fields) != 4:
            raise SrcnnGateError(source, f"line {number}: expected '<index> <path> <width> <height>', got {line!r}")
        try:
            index, width, height = int(fields[0]), int(fields[2]), int(fields[3])
        except ValueError:
            raise SrcnnGateError(
                source, f"line {number}: index, width and height must be integers, got {line!r}"
            ) from None
        if width <= 0 or height <= 0:
            raise SrcnnGateError(source, f"line {number}: width and height must be positive, got {line!r}")
        entries.append(InfoEntry(index, fields[1], width, height))
    if not entries:
        raise SrcnnGateError(source, "info file is empty")
    return entries


def read_info(path: Path) -> list[InfoEntry]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SrcnnGateError(path, "info file not found") from None
    except UnicodeDecodeError:
        raise SrcnnGateError(path, "info file is not text") from None
    return parse_info_text(text, path)


# The benchmark tool names outputs <stem>_1.txt / .bin (outputs counted from 1);
# ais_bench names them <stem>_0.bin / .txt / .npy (counted from 0).
_DUMP_NAME = re.compile(r"^(?P<stem>.+)_(?P<output>\d+)\.(?P<ext>txt|bin|npy)$")


def read_dump_dir(dump_dir: Path, stems: list[str], height: int, width: int) -> dict[str, np.ndarray]:
    """Map each input stem to its output plane, in the file order the tool wrote (no transposing)."""
    dump_dir = Path(dump_dir)
    if not dump_dir.is_dir():
        raise SrcnnGateError(dump_dir, "dump directory not found")
    found: dict[str, Path] = {}
    extra: list[str] = []
    for path in sorted(dump_dir.iterdir()):
        match = _DUMP_NAME.match(path.name)
        if not match or match["stem"] not in stems:
            if path.is_file() and not path.name.startswith("."):
                extra.append(path.name)
            continue
        if match["stem"] in found:
            raise SrcnnGateError(
                path, f"second output for '{match['stem']}' (already have {found[match['stem']].name})"
            )
        found[match["stem"]] = path
    missing = [s for s in stems if s not in found]
    if missing:
        raise SrcnnGateError(dump_dir, f"no output for {', '.join(missing)} (expected <name>_<n>.txt|bin|npy)")
    if extra:
        raise SrcnnGateError(dump_dir, f"unexpected file(s) {', '.join(extra)}: no matching input")
    return {stem: _read_dump_file(found[stem], height, width) for stem in stems}


def _read_dump_file(path: Path, height: int, width: int) -> np.ndarray:
    count = height * width
    try:
        if path.suffix == ".txt":
            values = np.array(path.read_text(encoding="utf-8").split(), dtype=np.float64).astype(np.float32)
        elif path.suffix == ".npy":
            values = np.load(path, allow_pickle=False).astype(np.float32).ravel()
        else:
            raw = path.read_bytes()
            if len(raw) != count * 4:
                raise SrcnnGateError(
                    path, f"output has {len(raw)} bytes, expected {count * 4} ({height}x{width} float32)"
                )
            values = np.frombuffer(raw, dtype=FLOAT32_LE).astype(np.float32)
    except SrcnnGateError:
        raise
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise SrcnnGateError(path, f"unparsable output ({str(exc).splitlines()[0][:120]})") from None
    if values.size != count:
        raise SrcnnGateError(path, f"output has {values.size} values, expected {count} ({height}x{width})")
    return values.reshape(height, width)
