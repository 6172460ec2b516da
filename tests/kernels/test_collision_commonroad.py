"""The OBB narrowphase agrees 100 % with CommonRoad's drivability checker (pycrcc).

CommonRoad's ``RectOBB.collide`` runs ``collisionDetection(RectangleOBB, RectangleOBB)``
(Ericson's separating-axis test, ``|t| > r_a + r_b`` separates), so exactly touching boxes
collide there as here. Our kernel uses the same operations in the same order, so the answers
match bit for bit, including touching boxes whose contact only holds up to rounding (any
heading but 0, where ``cos``/``sin`` are inexact).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kernels.collision import collide, collision_workspace, obb_pairs

pycrcc = pytest.importorskip(
    "commonroad_dc.pycrcc",
    reason="CommonRoad's drivability checker is not installed: "
    "pip install -e '.[bench]' (the `bench` extra: commonroad-drivability-checker)",
)


def _axes(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.cos(h), np.sin(h)


def _pairs(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Box pairs ``a`` (rows 0..n-1) and ``b`` (rows n..2n-1) of several deliberate kinds."""
    parts: list[tuple[np.ndarray, ...]] = []

    def add(case: int, xa, ya, ha, la, wa, xb, yb, hb, lb, wb) -> None:
        n = len(xa)
        parts.append((np.full(n, case), xa, ya, ha, la, wa, xb, yb, hb, lb, wb))

    def sizes(n: int) -> tuple[np.ndarray, ...]:
        return (
            rng.uniform(0.5, 16.0, n),
            rng.uniform(0.3, 3.5, n),
            rng.uniform(0.5, 16.0, n),
            rng.uniform(0.3, 3.5, n),
        )

    def centre(n: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(-1e3, 1e3, n), rng.uniform(-1e3, 1e3, n)

    # 0: uniformly random, about half of them overlapping
    n = 40_000
    la, wa, lb, wb = sizes(n)
    xa, ya = centre(n)
    add(0, xa, ya, rng.uniform(-4, 4, n), la, wa,
        xa + rng.uniform(-10, 10, n), ya + rng.uniform(-10, 10, n),
        rng.uniform(-4, 4, n), lb, wb)  # fmt: skip

    # 1: touching along one of a's axes or one of b's axes (contact up to rounding)
    n = 25_000
    la, wa, lb, wb = sizes(n)
    xa, ya = centre(n)
    ha, hb = rng.uniform(-math.pi, math.pi, n), rng.uniform(-math.pi, math.pi, n)
    hb = np.where(rng.random(n) < 0.2, ha + rng.choice([0.0, math.pi], n), hb)
    ca, sa = _axes(ha)
    cb, sb = _axes(hb)
    r00, r01 = ca * cb + sa * sb, ca * (-sb) + sa * cb
    r10, r11 = (-sa) * cb + ca * sb, sa * sb + ca * cb
    axis = rng.integers(0, 4, n)
    sign = rng.choice([-1.0, 1.0], n)
    lat = rng.uniform(-1.0, 1.0, n)
    # distance along the axis at which the projections touch, and the axis direction
    reach = np.select(
        [axis == 0, axis == 1, axis == 2],
        [
            0.5 * la + 0.5 * lb * np.abs(r00) + 0.5 * wb * np.abs(r01),
            0.5 * wa + 0.5 * lb * np.abs(r10) + 0.5 * wb * np.abs(r11),
            0.5 * la * np.abs(r00) + 0.5 * wa * np.abs(r10) + 0.5 * lb,
        ],
        0.5 * la * np.abs(r01) + 0.5 * wa * np.abs(r11) + 0.5 * wb,
    )
    ux = np.select([axis == 0, axis == 1, axis == 2], [ca, -sa, cb], -sb)
    uy = np.select([axis == 0, axis == 1, axis == 2], [sa, ca, sb], cb)
    dx = sign * reach * ux - lat * uy
    dy = sign * reach * uy + lat * ux
    add(1, xa, ya, ha, la, wa, xa + dx, ya + dy, hb, lb, wb)

    # 2: corner to corner: b (turned by a multiple of 90 degrees) diagonally off a's corner
    n = 10_000
    la, wa, lb, wb = sizes(n)
    xa, ya = centre(n)
    ha = rng.uniform(-math.pi, math.pi, n)
    turn = rng.integers(0, 4, n)
    hb = ha + turn * 0.5 * math.pi
    ca, sa = _axes(ha)
    ext_x = 0.5 * la + 0.5 * np.where(turn % 2 == 0, lb, wb)
    ext_y = 0.5 * wa + 0.5 * np.where(turn % 2 == 0, wb, lb)
    kx, ky = rng.choice([-1.0, 1.0], n), rng.choice([-1.0, 1.0], n)
    dx = kx * ext_x * ca - ky * ext_y * sa
    dy = kx * ext_x * sa + ky * ext_y * ca
    add(2, xa, ya, ha, la, wa, xa + dx, ya + dy, hb, lb, wb)

    # 3: nested: b inside a (and a inside b), random headings
    n = 10_000
    la, wa = rng.uniform(4.0, 16.0, n), rng.uniform(2.0, 3.5, n)
    xa, ya = centre(n)
    ha = rng.uniform(-math.pi, math.pi, n)
    lb, wb = rng.uniform(0.1, 0.45, n) * wa, rng.uniform(0.1, 0.45, n) * wa
    off = rng.uniform(-0.2, 0.2, (2, n))
    ca, sa = _axes(ha)
    xb = xa + off[0] * la * ca - off[1] * wa * sa
    yb = ya + off[0] * la * sa + off[1] * wa * ca
    hb = rng.uniform(-math.pi, math.pi, n)
    swap = rng.random(n) < 0.5
    add(3, np.where(swap, xb, xa), np.where(swap, yb, ya), np.where(swap, hb, ha),
        np.where(swap, lb, la), np.where(swap, wb, wa), np.where(swap, xa, xb),
        np.where(swap, ya, yb), np.where(swap, ha, hb), np.where(swap, la, lb),
        np.where(swap, wa, wb))  # fmt: skip

    # 4: rotated by 90 degrees: touching along a's axis, crossing, or a hair apart
    n = 15_000
    la, wa, lb, wb = sizes(n)
    xa, ya = centre(n)
    ha = rng.uniform(-math.pi, math.pi, n)
    ha = np.where(rng.random(n) < 0.3, rng.choice([0.0, 0.5 * math.pi, math.pi], n), ha)
    hb = ha + rng.choice([0.5 * math.pi, -0.5 * math.pi], n)
    ca, sa = _axes(ha)
    along = 0.5 * la + 0.5 * wb + rng.choice([0.0, 0.0, -1e-9, 1e-9, -1.0], n)
    lat = rng.uniform(-1.0, 1.0, n) * (0.5 * wa + 0.5 * lb)
    add(4, xa, ya, ha, la, wa, xa + along * ca - lat * sa, ya + along * sa + lat * ca, hb, lb, wb)

    # 5: identical boxes, and the same box moved on by its own length (end to end)
    n = 10_000
    la, wa, _, _ = sizes(n)
    xa, ya = centre(n)
    ha = rng.uniform(-math.pi, math.pi, n)
    shift = np.where(rng.random(n) < 0.6, 0.0, la)
    add(5, xa, ya, ha, la, wa, xa + shift * np.cos(ha), ya + shift * np.sin(ha), ha, la, wa)

    # 6: axis-aligned in exact binary (headings multiples of 90 degrees), touching or not
    n = 10_000
    q = 0.25
    la, wa = rng.integers(2, 64, n) * q, rng.integers(2, 14, n) * q
    lb, wb = rng.integers(2, 64, n) * q, rng.integers(2, 14, n) * q
    xa, ya = rng.integers(-4000, 4000, n) * q, rng.integers(-4000, 4000, n) * q
    ka, kb = rng.integers(-2, 3, n), rng.integers(-2, 3, n)
    ex = 0.5 * np.where(ka % 2 == 0, la, wa) + 0.5 * np.where(kb % 2 == 0, lb, wb)
    dx = rng.choice([-1.0, 1.0], n) * ex
    dy = rng.integers(-8, 9, n) * q
    add(6, xa, ya, ka * 0.5 * math.pi, la, wa, xa + dx, ya + dy, kb * 0.5 * math.pi, lb, wb)

    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    case = cols[0]
    a = {
        "x": cols[1], "y": cols[2], "h": cols[3], "l": cols[4], "w": cols[5],
    }  # fmt: skip
    b = {
        "x": cols[6], "y": cols[7], "h": cols[8], "l": cols[9], "w": cols[10],
    }  # fmt: skip
    boxes = {k: np.concatenate([a[k], b[k]]) for k in a}
    return boxes, case


def test_obb_agrees_with_commonroad_on_120k_pairs() -> None:
    boxes, case = _pairs(np.random.default_rng(2024))
    n = len(case)
    assert n >= 100_000
    i, j = np.arange(n), np.arange(n, 2 * n)
    ours = np.zeros(n, dtype=bool)
    obb_pairs(i, j, boxes["x"], boxes["y"], boxes["h"], boxes["l"], boxes["w"], ours)
    x, y, h = boxes["x"].tolist(), boxes["y"].tolist(), boxes["h"].tolist()
    hl, hw = (0.5 * boxes["l"]).tolist(), (0.5 * boxes["w"]).tolist()
    rect = pycrcc.RectOBB
    theirs = np.fromiter(
        (
            rect(hl[a], hw[a], h[a], x[a], y[a]).collide(rect(hl[b], hw[b], h[b], x[b], y[b]))
            for a, b in zip(i.tolist(), j.tolist(), strict=True)
        ),
        dtype=bool,
        count=n,
    )
    for c in range(7):
        sel = case == c
        bad = np.nonzero(sel & (ours != theirs))[0]
        assert len(bad) == 0, f"case {c}: {len(bad)} of {sel.sum()} disagree, e.g. pair {bad[:5]}"
        share = theirs[sel].mean()
        assert 0.0 < share <= 1.0, f"case {c} should contain collisions"
    # the deliberate cases really sit on the boundary: both answers occur
    for c in (1, 2, 4, 6):
        assert 0.05 < theirs[case == c].mean() < 0.995, c


def test_all_against_all_agrees_with_a_commonroad_shape_group() -> None:
    rng = np.random.default_rng(9)
    n = 2000
    side = math.sqrt(n * 150.0)
    x, y = rng.uniform(0, side, n), rng.uniform(0, side, n)
    h = rng.uniform(-math.pi, math.pi, n)
    length, width = rng.uniform(3.5, 12.0, n), rng.uniform(1.6, 2.6, n)
    zeros = np.zeros(n)
    out_i, out_j = np.zeros(4 * n, dtype=np.int64), np.zeros(4 * n, dtype=np.int64)
    ws_i, ws_f = collision_workspace(n)
    k = collide(np.arange(n), np.zeros(n, dtype=np.int8), x, y, zeros, h, length, width,
                zeros, x, y, zeros, h, 0.0, 0.01, ws_i, ws_f, out_i, out_j)  # fmt: skip
    ours = set(zip(out_i[:k].tolist(), out_j[:k].tolist(), strict=True))
    group = pycrcc.ShapeGroup()
    for a in range(n):
        group.add_shape(pycrcc.RectOBB(0.5 * length[a], 0.5 * width[a], h[a], x[a], y[a]))
    theirs = {(min(a, b), max(a, b)) for a, b in group.overlap(group) if a != b}
    assert len(ours) > 100
    assert ours == theirs
