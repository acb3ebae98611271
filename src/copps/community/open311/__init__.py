"""Open311 GeoReport v2: documents, JSON and XML rendering, filters, POST parsing and the views."""
