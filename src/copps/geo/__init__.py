"""Geography without Django: projections, hundred-block addresses, point-in-area lookups."""
