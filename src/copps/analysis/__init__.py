"""copps.analysis — crime analysis on plain arrays (numpy and scipy only).

Topic modules, each with its own ``__all__``:

``grid``         the regular grid events are counted on (``bin_points`` -> ``Grid``)
``hotspots``     kernel density, Getis–Ord Gi*, emerging hot spots, change between periods
``places``       concentration (Lorenz, Gini, 80/20) and repeat places/victims
``near_repeat``  the Knox test of near-repeat victimisation (Near Repeat Calculator table)
``temporal``     hour x weekday profiles (aoristic) and seasonality
``coverage``     the period a source's data covers (gaps, last complete day/week/month)
``compstat``     period-on-period comparisons with exact significance tests
``alerts``       control-chart alerts with a chosen false-alarm rate
``assessment``   before/after with a control (odds ratio), WDQ, WDD
``evaluation``   hit rate, PAI and PEI of a hot-spot surface
``intervals``    a share's Wilson or Clopper–Pearson interval, a mean's t interval
``montecarlo``   the one permutation engine behind every simulated p-value

Importing this package imports no Django, touches no database and reads no
files; see README.md in this folder.
"""

from . import (
    alerts,
    assessment,
    compstat,
    coverage,
    evaluation,
    grid,
    hotspots,
    intervals,
    montecarlo,
    near_repeat,
    places,
    temporal,
)

__all__ = [
    "alerts",
    "assessment",
    "compstat",
    "coverage",
    "evaluation",
    "grid",
    "hotspots",
    "intervals",
    "montecarlo",
    "near_repeat",
    "places",
    "temporal",
]
