"""A synthetic city for copps: streets, land use, areas and years of events
with planted patterns (hot spots, risky facilities, near-repeat burglary,
rhythms, collision corridors, service-request clusters and a past
intervention), written in real police export formats plus ``truth.json``.

Pure Python + numpy (+ pyproj, shapely); no Django. See docs/simulate.md.
"""

from copps.simulate.city import City, build_city, generate
from copps.simulate.writers import write_city

__all__ = ["City", "build_city", "generate", "write_city"]
