"""HTML to PDF with WeasyPrint: the report templates render once, for the page and the PDF.

The print templates carry their own stylesheet (no static files, no network): WeasyPrint is
given no base URL, so a report can never fetch anything while it is drawn.
"""

from __future__ import annotations

from django.template.loader import render_to_string

__all__ = ["render_pdf"]


def render_pdf(template: str, context: dict) -> bytes:
    """Render ``template`` with ``context`` and return the PDF bytes."""
    import weasyprint  # imported here: pango is loaded only when a PDF is asked for

    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"reports fetch nothing: {url}")
