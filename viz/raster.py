"""Batched drawing of many small shapes straight into a surface's pixels with numpy.

Calling ``pygame.draw.polygon`` once per agent costs about 2 microseconds of Python and SDL per
call, 20 ms for 10,000 agents, more than a 60 fps frame. Here a body is a *stamp*: the pixel
offsets of a box or disc of a given size in pixels at one of :data:`HEADING_BINS` headings,
computed once and reused. All agents' stamps are expanded with ``numpy.repeat`` and written
into the surface's pixel array (``pygame.surfarray.pixels2d``) in one fancy assignment. Bodies
larger than :data:`MAX_STAMP_RADIUS` are left to the caller, which draws them as exact polygons
(there are few of them on screen when zoomed in that far).

Trails are straight segments sampled one point per pixel step, also written in one go.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]

SHAPE_BOX = 0
"""An oriented rectangle (road vehicles, ships); its front part is the nose."""
SHAPE_DISC = 1
"""A disc (UAVs); a line from its centre along the heading is the nose."""
HEADING_BINS = 64
"""Headings a stamp is made for (5.6 degrees apart)."""
MAX_STAMP_RADIUS = 24.0
"""Bodies whose half-diagonal is longer (px) are not stamped."""
NOSE_SHARE = 0.3
"""Share of a box's length drawn in the nose colour."""
_Q = 4096  # size quantum range: half-extents are keyed in half pixels
BOOK_LIMIT = 4_000_000
"""Pixel offsets a :class:`StampBook` holds before it starts afresh (zooming makes new sizes)."""


def _stamp(
    shape: int, hl: float, hw: float, theta: float
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.bool_]]:
    """Pixel offsets (px) and nose flags of one body shape at heading ``theta`` (rad)."""
    c, s = math.cos(theta), math.sin(theta)
    r = math.ceil(math.hypot(hl, hw)) + 1
    d = np.arange(-r, r + 1, dtype=np.float64)
    ex, ey = np.meshgrid(d, d, indexing="ij")
    # screen y grows downwards: the heading (counter-clockwise from east) points (c, -s)
    u = ex * c - ey * s
    v = ex * s + ey * c
    if shape == SHAPE_DISC:
        inside = ex * ex + ey * ey <= hl * hl + 0.25
        nose = inside & (np.abs(v) <= 0.5) & (u >= 0)
    else:
        inside = (np.abs(u) <= hl) & (np.abs(v) <= hw)
        nose = inside & (u >= hl - max(1.0, NOSE_SHARE * 2 * hl))
    if not inside.any():
        inside[r, r] = True
    return ex[inside].astype(np.int32), ey[inside].astype(np.int32), nose[inside]


class StampBook:
    """Stamps by *size class* (shape and half-extents in half pixels) and heading bin.

    A size class gets its stamps for all headings at once, so looking up a body's stamp is two
    array gathers (:attr:`start`, :attr:`length` indexed by class and heading bin), no sorting
    and no Python loop per body.
    """

    def __init__(self, bins: int = HEADING_BINS) -> None:
        """Create an empty book for ``bins`` headings."""
        self.bins = bins
        self._classes: dict[tuple[int, int, int], int] = {}
        self._parts: list[
            tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.bool_]]
        ] = []
        self._size = 0
        self.radius: list[float] = []
        """Half-diagonal (px) of each class."""
        self.start = np.zeros((0, bins), dtype=np.int64)
        self.length = np.zeros((0, bins), dtype=np.int64)
        self.dx = np.zeros(0, dtype=np.int32)
        self.dy = np.zeros(0, dtype=np.int32)
        self.nose = np.zeros(0, dtype=np.bool_)

    def __len__(self) -> int:
        """Number of size classes."""
        return len(self._classes)

    def full(self) -> bool:
        """Whether the book holds more than :data:`BOOK_LIMIT` offsets (time to start afresh)."""
        return self._size > BOOK_LIMIT

    def classes(self, shape: I64, hl: F64, hw: F64) -> I64:
        """The size class of each body (shape code, half-length and half-width in px)."""
        qhl = np.clip(np.rint(hl * 2), 1, _Q - 1).astype(np.int64)
        qhw = np.clip(np.rint(hw * 2), 1, _Q - 1).astype(np.int64)
        qhw = np.where(shape == SHAPE_DISC, qhl, qhw)
        keys = (shape.astype(np.int64) * _Q + qhl) * _Q + qhw
        uniq, inv = np.unique(keys, return_inverse=True)
        ids = np.empty(len(uniq), dtype=np.int64)
        for k, key in enumerate(uniq.tolist()):
            size = (key // (_Q * _Q), (key // _Q) % _Q, key % _Q)
            ids[k] = self._class(*size)
        return ids[inv]

    def _class(self, shape: int, qhl: int, qhw: int) -> int:
        found = self._classes.get((shape, qhl, qhw))
        if found is not None:
            return found
        hl, hw = qhl / 2, qhw / 2
        number = len(self._classes)
        self._classes[(shape, qhl, qhw)] = number
        self.radius.append(math.hypot(hl, hw))
        starts = np.zeros((1, self.bins), dtype=np.int64)
        lengths = np.zeros((1, self.bins), dtype=np.int64)
        if math.hypot(hl, hw) <= MAX_STAMP_RADIUS:
            for b in range(self.bins):
                part = _stamp(shape, hl, hw, b * 2 * math.pi / self.bins)
                starts[0, b], lengths[0, b] = self._size, len(part[0])
                self._parts.append(part)
                self._size += len(part[0])
            self.dx = np.concatenate([p[0] for p in self._parts])
            self.dy = np.concatenate([p[1] for p in self._parts])
            self.nose = np.concatenate([p[2] for p in self._parts])
        self.start = np.vstack([self.start, starts])
        self.length = np.vstack([self.length, lengths])
        return number

    def bins_of(self, heading: F64) -> I64:
        """The heading bin of each heading (rad)."""
        return (
            np.rint(np.asarray(heading) * (self.bins / (2 * math.pi))).astype(np.int64) % self.bins
        )


class Pixels:
    """A surface's pixels for scattered writes.

    ``surfarray.pixels2d`` and, where the rows are contiguous (32-bit surfaces), a flat view,
    which numpy writes about four times faster than the 2-D one.
    """

    def __init__(self, pixels: npt.NDArray[np.integer]) -> None:
        """Wrap ``pygame.surfarray.pixels2d(surface)`` (indexed ``[x, y]``)."""
        self.array = pixels
        self.width, self.height = pixels.shape
        rows = pixels.T
        self.flat = rows.reshape(-1) if rows.flags.c_contiguous else None

    def put(self, x: I64, y: I64, colour: U32) -> None:
        """Set pixels ``(x, y)`` (in range) to mapped colours."""
        if self.flat is not None:
            self.flat[y * self.width + x] = colour
        else:
            self.array[x, y] = colour


def draw_bodies(
    pixels: Pixels,
    clip: tuple[int, int, int, int],
    book: StampBook,
    sx: F64,
    sy: F64,
    size_class: I64,
    heading: F64,
    body: U32,
    nose: U32,
) -> None:
    """Stamp bodies into a surface's pixels.

    Bodies of classes too large to stamp are skipped (the caller draws them).

    Args:
        pixels: the surface's pixels.
        clip: ``(x0, y0, x1, y1)`` (px): only pixels with ``x0 <= x < x1``, ``y0 <= y < y1``
            are written.
        book: the stamps; ``size_class`` are its classes.
        sx: body centres, screen x (px).
        sy: body centres, screen y (px).
        size_class: each body's size class in ``book``.
        heading: headings (rad, counter-clockwise from east in the world).
        body: mapped colour of each body.
        nose: mapped colour of each body's nose.
    """
    if len(sx) == 0:
        return
    ix = np.floor(sx).astype(np.int64)
    iy = np.floor(sy).astype(np.int64)
    hbin = book.bins_of(heading)
    start = book.start[size_class, hbin]
    counts = book.length[size_class, hbin]
    reach = np.ceil(np.asarray(book.radius)[size_class]).astype(np.int64) + 2
    x0, y0, x1, y1 = clip
    inside = (ix - reach >= x0) & (ix + reach < x1) & (iy - reach >= y0) & (iy + reach < y1)
    colours = np.column_stack([body, nose]).reshape(-1)  # body, nose of body 0, then body 1 ...
    for group, checked in ((np.nonzero(inside)[0], False), (np.nonzero(~inside)[0], True)):
        if len(group) == 0:
            continue
        c = counts[group]
        total = int(c.sum())
        if total == 0:
            continue
        owner = np.repeat(group, c)
        first = np.repeat(start[group] - (np.cumsum(c) - c), c)
        table = np.arange(total, dtype=np.int64) + first
        colour = colours[owner * 2 + book.nose[table]]
        px = ix[owner] + book.dx[table]
        py = iy[owner] + book.dy[table]
        if checked:
            ok = (px >= x0) & (px < x1) & (py >= y0) & (py < y1)
            px, py, colour = px[ok], py[ok], colour[ok]
        pixels.put(px, py, colour)


def sample_segments(
    x0: F64, y0: F64, x1: F64, y1: F64, max_samples: int = 48
) -> tuple[F64, F64, I64]:
    """Points along segments (px), about one per pixel step, at most ``max_samples`` each.

    Returns:
        The points' x, y (px) and the segment each belongs to.
    """
    dx = x1 - x0
    dy = y1 - y0
    steps = np.maximum(np.abs(dx), np.abs(dy))
    n = np.clip(np.ceil(steps), 1, max_samples).astype(np.int64)
    total = int(n.sum())
    seg = np.repeat(np.arange(len(n), dtype=np.int64), n)
    k = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    f = k / n[seg]
    return x0[seg] + dx[seg] * f, y0[seg] + dy[seg] * f, seg


def draw_points(
    pixels: Pixels,
    clip: tuple[int, int, int, int],
    px: F64,
    py: F64,
    colour: U32,
) -> None:
    """Set single pixels (screen px) to mapped colours, inside ``clip``."""
    ix = np.floor(px).astype(np.int64)
    iy = np.floor(py).astype(np.int64)
    x0, y0, x1, y1 = clip
    ok = (ix >= x0) & (ix < x1) & (iy >= y0) & (iy < y1)
    pixels.put(ix[ok], iy[ok], colour[ok])
