"""Platoon places and connected-driving metrics: the kernel equals its twin; places chain."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels.cacc import MODE_ACC, MODE_CACC, MODE_CRUISE, MODE_MRC
from sim.kernels.platoon import platoon_step
from sim.kernels.reference_platoon import platoon_step_ref


def _state(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "plat_pos": rng.integers(-1, 5, n).astype(np.int32),
        "plat_head": rng.integers(-1, n, n).astype(np.int32),
        "prev_mode": rng.integers(-1, 4, n).astype(np.int8),
        "t_cacc": np.zeros(n),
        "t_acc": np.zeros(n),
        "n_fallback": np.zeros(n, dtype=np.int64),
        "tg_sum": np.zeros(n),
        "tg_n": np.zeros(n, dtype=np.int64),
        "tg_min": np.full(n, np.inf),
        "ss_pred": np.full(n, -1, dtype=np.int32),
        "ss_t": np.zeros(n),
        "ss_hi": np.zeros(n),
        "ss_lo": np.zeros(n),
        "ss_phi": np.zeros(n),
        "ss_plo": np.zeros(n),
    }


ORDER = (
    "plat_pos", "plat_head", "t_cacc", "t_acc", "n_fallback", "tg_sum", "tg_n", "tg_min",
    "ss_pred", "ss_t", "ss_hi", "ss_lo", "ss_phi", "ss_plo",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_platoon_step_equals_its_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    a = _state(n, rng)
    b = {k: v.copy() for k, v in a.items()}
    ctrl = (rng.random(n) < 0.7).astype(np.int8)
    h_used = rng.uniform(0.7, 1.5, n)
    total = 0
    for tick in range(80):
        idx = np.sort(rng.choice(n, 250, replace=False)).astype(np.int64)
        lead = np.where(rng.random(n) < 0.8, rng.integers(0, n, n), -1).astype(np.int64)
        if tick % 7:  # mostly a stable chain, so windows open and grow
            lead = np.where(np.arange(n) > 0, np.arange(n) - 1, -1).astype(np.int64)
        v = rng.uniform(10, 25, n) if tick % 5 == 0 else np.full(n, 20.0) + rng.normal(0, 0.3, n)
        gap = np.where(rng.random(n) < 0.9, 2.0 + h_used * v + rng.normal(0, 0.5, n), 80.0)
        mode = rng.choice([MODE_CRUISE, MODE_ACC, MODE_CACC, MODE_CACC, MODE_CACC, MODE_MRC], n)
        mode = np.where(ctrl != 0, mode, np.where(rng.random(n) < 0.1, MODE_MRC, -1)).astype(
            np.int8
        )
        out = []
        for fn, st in ((platoon_step, a), (platoon_step_ref, b)):
            changed = np.zeros(n, dtype=np.int64)
            k = fn(
                idx, 0.1, lead, gap, v, h_used, 2.0, ctrl, mode, st["prev_mode"],
                *(st[name] for name in ORDER), 1.0, 5.0, 2.0, changed,
            )  # fmt: skip
            out.append(sorted(changed[:k].tolist()))
        assert out[0] == out[1]
        total += len(out[0])
        for name in ("prev_mode", *ORDER):
            np.testing.assert_allclose(a[name], b[name], rtol=1e-12, err_msg=name)
    assert total > 100
    assert a["tg_n"].sum() > 1000 and (a["ss_t"] > 1.0).sum() > 10 and a["n_fallback"].sum() > 50


def test_places_chain_down_a_platoon_one_vehicle_per_tick() -> None:
    n = 6
    lead = np.array([-1, 0, 1, 2, 3, 4], dtype=np.int64)
    v = np.full(n, 20.0)
    gap = np.full(n, 16.0)
    ctrl = np.ones(n, dtype=np.int8)
    mode = np.array([MODE_CRUISE] + [MODE_CACC] * 5, dtype=np.int8)
    st = _state(n, np.random.default_rng(0))
    st["plat_pos"][:] = -1
    st["prev_mode"][:] = mode
    idx = np.arange(n, dtype=np.int64)
    for _ in range(n):
        platoon_step(
            idx, 0.1, lead, gap, v, np.full(n, 0.7), 2.0, ctrl, mode, st["prev_mode"],
            *(st[name] for name in ORDER), 10.0, 5.0, 2.0, np.zeros(n, dtype=np.int64),
        )  # fmt: skip
    assert st["plat_pos"].tolist() == [0, 1, 2, 3, 4, 5]
    assert st["plat_head"].tolist() == [0] * 6
    # a follower 80 m back (4 s) follows in CACC but is no member yet
    gap[3] = 80.0
    platoon_step(
        idx, 0.1, lead, gap, v, np.full(n, 0.7), 2.0, ctrl, mode, st["prev_mode"],
        *(st[name] for name in ORDER), 10.0, 5.0, 2.0, np.zeros(n, dtype=np.int64),
    )  # fmt: skip
    assert st["plat_pos"][3] == 0 and st["plat_head"][3] == 3
