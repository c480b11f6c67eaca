"""A fake camera for Chromium: a Y4M video of a printed label, held in front of the lens.

Chromium's ``--use-fake-device-for-media-stream`` with
``--use-file-for-fake-video-capture=<file>.y4m`` plays the file, in a loop,
as the only camera. The video is rendered here from the real printed PDF
(a product label from ``inventory.documents``): the page is rasterised, laid
on a grey desk a little off centre and slightly rotated, the way a hand holds
a label up to a tablet.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

WIDTH, HEIGHT = 640, 480
FRAMES = 10
POINTS_PER_INCH = 72


def pdf_page_image(pdf: bytes, *, dpi: int = 300) -> Image.Image:
    """Rasterise the first page of a PDF, as a printer and a camera would see it."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=dpi / POINTS_PER_INCH).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        document.close()


def frame_of(label: Image.Image) -> Image.Image:
    """Place a label on a grey background, filling most of the frame, turned by 3 degrees."""
    scale = min(WIDTH * 0.8 / label.width, HEIGHT * 0.8 / label.height)
    size = (round(label.width * scale), round(label.height * scale))
    held = label.resize(size, Image.LANCZOS).rotate(3, expand=True, fillcolor=(120, 120, 120))
    frame = Image.new("RGB", (WIDTH, HEIGHT), (120, 120, 120))
    frame.paste(held, ((WIDTH - held.width) // 2 + 12, (HEIGHT - held.height) // 2 - 8))
    return frame


def write_y4m(frame: Image.Image, path: Path, *, frames: int = FRAMES, fps: int = 10) -> Path:
    """Write a still frame as a YUV 4:2:0 video (the Y4M format Chromium's fake camera reads)."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    header = f"YUV4MPEG2 W{frame.width} H{frame.height} F{fps}:1 Ip A1:1 C420jpeg\n"
    with open(path, "wb") as video:
        video.write(header.encode("ascii"))
        for _ in range(frames):
            video.write(b"FRAME\n")
            video.write(planes)
    return path


def label_video(pdf: bytes, path: Path) -> Path:
    """Render a video of the printed label in ``pdf`` to ``path``; also keep a PNG beside it."""
    frame = frame_of(pdf_page_image(pdf))
    frame.save(path.with_suffix(".png"))
    return write_y4m(frame, path)
