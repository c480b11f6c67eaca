"""A fake camera for Chromium: a Y4M video of a printed label, held in front of the lens.

Chromium's ``--use-fake-device-for-media-stream`` with
``--use-file-for-fake-video-capture=<file>.y4m`` plays the file, in a loop,
as the only camera. The video is rendered here from the real printed PDF
(a product label from ``inventory.documents``): the page is rasterised, laid
on a grey desk a little off centre and slightly rotated, the way a hand holds
a label up to a tablet.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

WIDTH, HEIGHT = 1280, 720  # what the screens ask of a camera
FRAMES = 10
FPS = 10
DESK = (120, 120, 120)
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
    held = label.resize(size, Image.LANCZOS).rotate(3, expand=True, fillcolor=DESK)
    frame = Image.new("RGB", (WIDTH, HEIGHT), DESK)
    frame.paste(held, ((WIDTH - held.width) // 2 + 12, (HEIGHT - held.height) // 2 - 8))
    return frame


def yuv420(frame: Image.Image) -> bytes:
    """Return a frame's Y, Cb and Cr planes, the colour planes at half size (4:2:0)."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    return y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()


def write_y4m(scenes: list[tuple[Image.Image, int]], path: Path, *, fps: int = FPS) -> Path:
    """Write (frame, how many times) scenes as a Y4M video, the format Chromium's fake camera reads."""
    first = scenes[0][0]
    header = f"YUV4MPEG2 W{first.width} H{first.height} F{fps}:1 Ip A1:1 C420jpeg\n"
    with open(path, "wb") as video:
        video.write(header.encode("ascii"))
        for frame, count in scenes:
            planes = yuv420(frame)
            for _ in range(count):
                video.write(b"FRAME\n")
                video.write(planes)
    return path


def label_video(label: Image.Image, path: Path, *, away: float = 0) -> Path:
    """Render a video of a printed label to ``path``; also keep a PNG of its frame beside it.

    With ``away`` the label is in view for a second, then out of view for ``away``
    seconds, over and over (the video loops): a picker showing one unit after another.
    """
    frame = frame_of(label)
    frame.save(path.with_suffix(".png"))
    scenes = [(frame, FRAMES)]
    if away:
        scenes.append((Image.new("RGB", (WIDTH, HEIGHT), DESK), round(away * FPS)))
    return write_y4m(scenes, path)


def gs1_128_label(data: str) -> Image.Image:
    """Print a GS1-128 carton label (FNC1 first; a group separator ends a variable field)."""
    import barcode
    from barcode.writer import ImageWriter

    symbol = barcode.get_barcode_class("gs1_128")(data, writer=ImageWriter())
    out = io.BytesIO()
    symbol.write(
        out, options={"module_width": 0.3, "module_height": 12, "dpi": 300, "write_text": False}
    )
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def qr_label(text: str) -> Image.Image:
    """Print a QR code of ``text`` with its quiet zone."""
    import zxingcpp

    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    image = zxingcpp.write_barcode_to_image(symbol, scale=8)
    return Image.fromarray(image).convert("RGB") if not isinstance(image, Image.Image) else image
