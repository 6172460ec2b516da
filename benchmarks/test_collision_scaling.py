"""All-against-all collision query (grid broadphase + OBB narrowphase) at 1k, 10k, 100k boxes.

Run: ``pytest benchmarks/test_collision_scaling.py --benchmark-columns=mean,stddev,rounds``.
The boxes are vehicles on the lanes of a busy road grid (see ``benchmarks/collision_side.py``:
one vehicle every 22 m of lane), so the density is the same at every size and the cost per
box should stay nearly flat: the broadphase is a counting sort into grid cells, O(n).
"""

from __future__ import annotations

import pytest

from benchmarks.collision_side import TestzoneQuery, make_boxes


@pytest.mark.parametrize("n_boxes", [1_000, 10_000, 100_000])
def test_collision_all_against_all(benchmark, n_boxes: int) -> None:
    query = TestzoneQuery(make_boxes(n_boxes, seed=1))
    pairs = query()  # compile, and size the output buffers
    benchmark.extra_info["boxes"] = n_boxes
    benchmark.extra_info["colliding_pairs"] = pairs
    assert benchmark(query) == pairs
    benchmark.extra_info["ns_per_box"] = benchmark.stats.stats.mean / n_boxes * 1e9
