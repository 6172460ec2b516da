def test_sharp_road_bends_become_arcs_both_ways() -> None:
    import numpy as np

    from sim.network.arrays import round_corners

    line = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [105.0, 130.0]])
    out = round_corners(line, 10.0)
    assert np.allclose(out[0], line[0]) and np.allclose(out[-1], line[-1])
    # the right angle became a quarter circle of radius 10 m about (90, 10) ...
    arc = out[np.hypot(out[:, 0] - 90.0, out[:, 1] - 10.0) < 10.0 + 1e-9]
    assert len(arc) >= 18
    steps = np.degrees(np.abs(np.diff(np.unwrap(np.arctan2(*np.diff(out, axis=0).T[::-1])))))
    assert steps.max() <= 20.0 + 1e-9  # no bend sharper than the threshold is left
    # ... the 9.5 degree bend at (100, 100) stays, and the reversed line gives the same points
    assert any(np.allclose(p, (100.0, 100.0)) for p in out)
    assert np.allclose(round_corners(line[::-1], 10.0)[::-1], out)
