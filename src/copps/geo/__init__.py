"""Geography without Django: projections, hundred-block addresses, point-in-area lookups,
geocoding. The one exception is ``gazetteer/``, the Django app that stores the reference data."""
