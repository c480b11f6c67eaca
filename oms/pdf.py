"""Render printed documents (labels, slips, pick lists, invoices) from HTML templates to PDF.

Templates live under ``templates/documents/``. The shared stylesheet
``documents/_base.css`` (fonts and common layout) is parsed once per thread
and handed to WeasyPrint with the font configuration it was parsed with, so
neither is rebuilt per document. Relative URLs in a template resolve against
the static folder, and WeasyPrint may read only static files and fonts: a
document can never pull in a remote or private file.

Many documents of the same kind (the labels of a wave) become one PDF:
their HTML bodies are laid out in one WeasyPrint pass, each starting a new
page, which is faster than laying out each document on its own and
joining the pages (see ``bench/labels.py``).
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.utils.text import get_valid_filename

BASE_STYLESHEET = "documents/_base.css"
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts")]

# Documents laid out per pass when a batch reports progress (big enough to stay fast).
CHUNK = 50

_local = threading.local()
_BODY_RE = re.compile(r"<body[^>]*>(?P<body>.*)</body>", re.DOTALL | re.IGNORECASE)


def static_root() -> Path:
    """Return the folder that relative URLs in a document resolve against."""
    dirs = list(getattr(settings, "STATICFILES_DIRS", []))
    return Path(dirs[0] if dirs else settings.BASE_DIR / "static")


def base_url() -> str:
    """Return the base URL of every document: the static folder, as a file URL."""
    return static_root().resolve().as_uri() + "/"


def allowed_roots() -> list[Path]:
    """Return the folders WeasyPrint may read from: static files and fonts."""
    roots = [static_root(), *FONT_DIRS]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        """Serve data: URLs and files under the allowed folders; refuse everything else."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"Documents may not load {url}")

    return LocalFetcher


class _Renderer:
    """Hold what one thread reuses across documents: fetcher, fonts and base stylesheet."""

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.url_fetcher = _fetcher_class()(allowed_protocols=["file", "data"])
        self.font_config = FontConfiguration()
        css = get_template(BASE_STYLESHEET).template.source
        self.stylesheets = [
            CSS(
                string=css,
                base_url=base_url(),
                url_fetcher=self.url_fetcher,
                font_config=self.font_config,
            )
        ]

    def document(self, html: str):
        """Lay out one HTML string into a WeasyPrint document (pages, not yet a PDF)."""
        from weasyprint import HTML

        return HTML(string=html, base_url=base_url(), url_fetcher=self.url_fetcher).render(
            stylesheets=self.stylesheets, font_config=self.font_config
        )


def renderer() -> _Renderer:
    """Return this thread's renderer, building it on first use."""
    current = getattr(_local, "renderer", None)
    if current is None:
        current = _local.renderer = _Renderer()
    return current


@atexit.register
def _drop_renderer() -> None:
    """Release the main thread's fonts before the interpreter tears WeasyPrint down."""
    _local.__dict__.pop("renderer", None)


def html_to_pdf(html: str) -> bytes:
    """Turn one HTML document into PDF bytes."""
    return renderer().document(html).write_pdf()


def render_pdf(template: str, context: Mapping | None = None) -> bytes:
    """Render a document template with its context to PDF bytes."""
    return html_to_pdf(render_to_string(template, dict(context or {})))


def combine_html(documents: Iterable[str]) -> str:
    """Join rendered documents of one template into one HTML, each starting a new page.

    The head (title, styles) of the first document is kept; each body is
    wrapped in a ``section.document`` that the base stylesheet breaks after.
    """
    head = ""
    bodies = []
    for html in documents:
        match = _BODY_RE.search(html)
        if match is None:
            raise ValueError("A document template must have a <body>.")
        if not head:
            head = html[: match.start()]
        bodies.append(f'<section class="document">{match["body"]}</section>')
    if not bodies:
        raise ValueError("There is no document to print.")
    return f"{head}<body>{''.join(bodies)}</body></html>"


def render_many_html(template: str, contexts: Iterable[Mapping]) -> str:
    """Render one template for each context and join them into one HTML."""
    compiled = get_template(template)
    return combine_html(compiled.render(dict(context)) for context in contexts)


def render_many(template: str, contexts: Iterable[Mapping], *, progress=None) -> bytes:
    """Render many documents of one template into a single PDF, one after the other.

    With a ``progress`` (see ``oms.jobs.Progress``) the documents are laid out
    in chunks of ``CHUNK`` and progress is reported after each; the pages are
    then joined into one PDF. Without, everything is laid out in one pass.
    """
    if progress is None:
        return html_to_pdf(render_many_html(template, contexts))
    contexts = list(contexts)
    progress.set_total(len(contexts))
    if not contexts:
        raise ValueError("There is no document to print.")
    compiled = get_template(template)
    parts = []
    for start in range(0, len(contexts), CHUNK):
        chunk = contexts[start : start + CHUNK]
        html = combine_html(compiled.render(dict(context)) for context in chunk)
        parts.append(renderer().document(html))
        progress.advance(len(chunk))
    pages = [page for part in parts for page in part.pages]
    return parts[0].copy(pages).write_pdf()


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """Answer with a PDF, shown in the browser (inline) or saved (attachment)."""
    name = get_valid_filename(filename) or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Content-Length"] = str(len(pdf))
    response["Cache-Control"] = "private, no-store"
    return response
