"""Traffic collisions of the synthetic city.

Collisions happen at intersections (weighted by the classes of the crossing
streets) or mid-block (weighted by class and length), peak at the commute
hours, and run several times hotter on the planted arterial corridors.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from copps.simulate.assemble import make_table
from copps.simulate.events import EventTable
from copps.simulate.intensity import Setting
from copps.simulate.rhythms import sample_times
from copps.simulate.streets import house_number

__all__ = ["COLLISIONS_PER_YEAR", "SEVERITIES", "generate_collisions"]

COLLISIONS_PER_YEAR = 500
CLASS_WEIGHT = {"arterial": 6.0, "collector": 2.5, "local": 0.35}
INTERSECTION_SHARE = 0.55
#: SWITRS COLLISION_SEVERITY code, label and share.
SEVERITIES = (
    ("1", "Fatal", 0.006),
    ("2", "Severe Injury", 0.03),
    ("3", "Other Visible Injury", 0.12),
    ("4", "Complaint of Pain", 0.30),
    ("0", "Property Damage Only", 0.544),
)
#: Primary collision factor (PCF_VIOL_CATEGORY) codes and labels with shares.
#: (PCF_VIOL_CATEGORY, label, share, PCF_VIOLATION vehicle-code section).
FACTORS = (
    ("3", "Unsafe Speed", 0.30, "22350"),
    ("8", "Improper Turning", 0.18, "22107"),
    ("9", "Automobile Right of Way", 0.15, "21801"),
    ("12", "Traffic Signals and Signs", 0.10, "21453"),
    ("1", "Driving or Bicycling Under the Influence", 0.07, "23152"),
    ("10", "Pedestrian Right of Way", 0.04, "21950"),
    ("5", "Wrong Side of Road", 0.04, "21650"),
    ("4", "Following Too Closely", 0.12, "21703"),
)


def _corridor_factor_segments(s: Setting) -> np.ndarray:
    f = np.ones(len(s.streets.seg_a))
    for c in s.plan.corridors:
        f[c.segments] = c.multiplier
    return f


def generate_collisions(s: Setting, rng: np.random.Generator) -> EventTable:
    """Draw every collision of the period (sorted by time; ``id`` is the CASE_ID)."""
    st = s.streets
    cls_w = np.vectorize(CLASS_WEIGHT.get)(st.street_class)
    seg_f = _corridor_factor_segments(s)
    # Intersections: crossing nodes weighted by both streets (and the corridor they lie on).
    crossing = np.flatnonzero(st.node_street_b >= 0)
    node_w = np.zeros(len(st.node_x))
    node_w[crossing] = cls_w[st.node_street_a[crossing]] * cls_w[st.node_street_b[crossing]]
    node_f = np.ones(len(st.node_x))
    for c in s.plan.corridors:
        node_f[st.seg_a[c.segments]] = c.multiplier
        node_f[st.seg_b[c.segments]] = c.multiplier
    node_w *= node_f
    seg_w = cls_w[st.seg_street] ** 1.5 * st.seg_length * seg_f
    n = rng.poisson(COLLISIONS_PER_YEAR * s.scale * s.days / 365.25)
    at_node = rng.random(n) < INTERSECTION_SHARE
    k_node, k_seg = int(at_node.sum()), int((~at_node).sum())
    nodes = rng.choice(len(node_w), size=k_node, p=node_w / node_w.sum())
    segs = rng.choice(len(seg_w), size=k_seg, p=seg_w / seg_w.sum())
    frac = rng.uniform(0.1, 0.9, k_seg)
    ax, ay = st.node_x[st.seg_a[segs]], st.node_y[st.seg_a[segs]]
    bx, by = st.node_x[st.seg_b[segs]], st.node_y[st.seg_b[segs]]
    sx, sy = ax + frac * (bx - ax), ay + frac * (by - ay)
    near_a = np.where(st.node_street_b[st.seg_a[segs]] >= 0, st.seg_a[segs], st.seg_b[segs])
    near_b = np.where(st.node_street_b[st.seg_b[segs]] >= 0, st.seg_b[segs], st.seg_a[segs])
    near = np.where(frac <= 0.5, near_a, near_b)
    seg_street = st.seg_street[segs]
    numbers = np.round(house_number(st.street_axis[seg_street], sx, sy, s.frame)).astype(int)
    jitter = rng.normal(0, 3.0, (2, n))
    x = np.concatenate([st.node_x[nodes], sx]) + jitter[0]
    y = np.concatenate([st.node_y[nodes], sy]) + jitter[1]
    x = np.clip(x, s.frame.xmin + 1, s.frame.xmax - 1)
    y = np.clip(y, s.frame.ymin + 1, s.frame.ymax - 1)
    node = np.concatenate([nodes, near])
    street = np.concatenate([st.node_street_a[nodes], seg_street])
    address = np.array(
        [st.intersection_name(k) for k in nodes]
        + [f"{num} {st.street_name[si]}" for num, si in zip(numbers, seg_street, strict=False)],
        dtype=object,
    )
    t = sample_times("commute", n, 0, s.days, s.start, rng)
    sev = rng.choice(len(SEVERITIES), size=n, p=[v[2] for v in SEVERITIES])
    fac = rng.choice(len(FACTORS), size=n, p=[v[2] for v in FACTORS])
    table = make_table(
        s,
        kind="collision",
        type_key="collision",
        category="Traffic Collision",
        subcategory=np.array([SEVERITIES[i][1] for i in sev], dtype=object),
        offence=np.array([FACTORS[i][1] for i in fac], dtype=object),
        sensitive="",
        occurred_from=t,
        occurred_to=t,
        reported_at=t + rng.integers(15, 90, n) * np.timedelta64(60, "s"),
        true_time=t,
        x=x,
        y=y,
        parcel=np.full(n, -1),
        node=node,
        street=street,
        address=address,
        channel="report",
    )
    order = np.argsort(table.true_time, kind="stable")
    table = table.select(order)
    geocoded = rng.random(n) >= 0.12
    return dataclasses.replace(table, id=9100000 + np.arange(n, dtype=np.int64), geocoded=geocoded)
