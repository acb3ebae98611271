"""One document, two formats: JSON and XML as GeoReport v2 lays them out.

Documents are built as plain Python values (lists of dicts, in element order). JSON is a
direct dump; XML follows the same mapping the spec uses (its "Spark convention"): a list
becomes a parent element holding one child per item, named by ``ITEM_NAMES`` (``requests``
items are ``request``, ``attributes`` items ``attribute``...). ``None`` becomes an empty
element, booleans ``true``/``false``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

__all__ = ["FORMATS", "CONTENT_TYPES", "render", "to_json", "to_xml"]

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# List element -> the element of each item.
ITEM_NAMES = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (imported text may hold them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _XML_ILLEGAL.sub("", str(value))


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), key, child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for item in value:
            _fill(ET.SubElement(element, item_name), item_name, item)
    else:
        element.text = _text(value)


def to_xml(root: str, document) -> bytes:
    """The document under ``<root>``, UTF-8, with the XML declaration the spec asks for."""
    element = ET.Element(root)
    _fill(element, root, document)
    body = ET.tostring(element, encoding="unicode")
    # ElementTree leaves carriage returns raw, and parsers turn them into newlines: keep them.
    body = body.replace("\r", "&#13;")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def to_json(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def render(document, *, root: str, fmt: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """An HTTP response holding ``document`` in ``fmt`` (``json`` or ``xml``)."""
    body = to_xml(root, document) if fmt == "xml" else to_json(document)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    for key, value in (headers or {}).items():
        response[key] = value
    return response
