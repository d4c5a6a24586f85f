"""An image folder as people really have one, for the folder tests in-process and through the gate: pictures
with any extension case, spaces and non-ASCII names, beside files that are not pictures."""
from pathlib import Path

from PIL import Image

from srcnn_support.prepare.datasets import sample_photos

PICTURES = {"baby boy.PNG": "PNG", "oiseau é.JPEG": "JPEG", "Kopf ü.bmp": "BMP", "woman.TIF": "TIFF"}
NOT_PICTURES = {"README.txt": b"notes", ".DS_Store": b"\0\0\0\1Bud1", "Thumbs.db": b"\xd0\xcf\x11\xe0",
                "._baby boy.PNG": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "}


def make_messy_folder(folder: Path) -> Path:
    folder.mkdir()
    photo = Image.open(sample_photos().files[0]).convert("RGB").resize((300, 280))
    for offset, (name, fmt) in enumerate(PICTURES.items()):
        photo.rotate(offset * 90).save(folder / name, format=fmt)
    for name, data in NOT_PICTURES.items():
        (folder / name).write_bytes(data)
    (folder / "thumbnails").mkdir()
    return folder
