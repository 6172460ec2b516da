"""Safety metrics of the imported US-101 run agree with CommonRoad-CriMe on the same vehicles.

The recorded NGSIM US-101 scenario is imported (``testzone import commonroad``) and replayed.
At every tick, the engine's leader and bumper-to-bumper gap of each recorded follower feed its
car-following metrics (TTC, THW, DRAC); here they are compared with CriMe's headway ``HW`` for
the same (follower, leader, time step). CriMe's ``HW`` adds the half-lengths to both
coordinates of the centres before measuring along its curvilinear frame (see
``tests/kernels/test_metrics_crime.py``), so it is turned back into a bumper gap with the
lanelet's orientation ``phi``: ``HW + (l_f + l_l)/2 (cos phi + sin phi) - (l_f + l_l)/2``.
The metric kernels themselves equal CriMe's to 1e-6 on this scenario (that test); this one
shows the imported network, the matched trajectories and the engine's leader search give
CriMe's inputs.

The engine's lanes are one road's lanes side by side, CriMe's the lanelets: near a lane
change the two can disagree on who leads whom, so the test asks for 90 % of the pairs within
0.5 m, not all of them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

try:
    from commonroad.common.file_reader import CommonRoadFileReader
    from commonroad_crime.data_structure.configuration import CriMeConfiguration
    from commonroad_crime.measure.distance.hw import HW
    from commonroad_crime.utility.solver import compute_lanelet_width_orientation
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    pytest.skip(
        f"commonroad-crime / commonroad-io not importable ({exc}); install the optional "
        "'bench' extra: pip install -e '.[bench]'",
        allow_module_level=True,
    )

from sim.cli import app
from sim.engine.simulation import Simulation
from sim.kernels.metrics import ttc_car_following
from sim.model.bundle import load_scenario

pytestmark = pytest.mark.usefixtures("crime_unrounded")


@pytest.mark.slow
def test_us101_gaps_and_ttc_agree_with_crime(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "commonroad" / "USA_US101-4_1_T-1.xml"
    result = CliRunner().invoke(app, ["import", "commonroad", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sim = Simulation(load_scenario(tmp_path / "scenario.toml"))
    rows: list[tuple[int, int, int, float, float, float, float]] = []
    measure = sim._metrics

    def spy(idx: np.ndarray, speed: np.ndarray) -> None:
        measure(idx, speed)
        f = sim.fleet
        for i in idx:
            j = int(sim.lead[i])
            if j >= 0 and f.replay[i] and f.replay[j]:
                rows.append(
                    (
                        sim.tick,
                        int(f.ids[i][2:]),
                        int(f.ids[j][2:]),
                        float(sim.gap[i]),
                        float(f.ttc[i]),
                        float(speed[i]),
                        float(speed[j]),
                    )
                )

    sim._metrics = spy  # type: ignore[method-assign]
    sim.run()
    assert len(rows) > 300

    sc, _ = CommonRoadFileReader(str(source)).open(lanelet_assignment=True)
    net = sc.lanelet_network
    hw_of: dict[int, HW] = {}
    errors, ttc_pairs = [], 0
    for tick, ego, other, gap, ttc, v_f, v_l in rows:
        if ego not in hw_of:
            cfg = CriMeConfiguration()
            cfg.update(sce=sc)
            cfg.update(ego_id=ego)
            hw_of[ego] = HW(cfg)
        hw = hw_of[ego].compute(other, tick, verbose=False)
        if not isinstance(hw, float) or not math.isfinite(hw):
            continue  # CriMe finds no common lane for the pair at this step
        oe, oo = sc.obstacle_by_id(ego), sc.obstacle_by_id(other)
        pos = oe.state_at_time(tick).position
        lanelet = net.find_lanelet_by_id(net.find_lanelet_by_position([pos])[0][0])
        phi = compute_lanelet_width_orientation(lanelet, pos)[1]
        half = (oe.obstacle_shape.length + oo.obstacle_shape.length) / 2
        theirs = hw + half * (math.cos(phi) + math.sin(phi)) - half
        errors.append(abs(gap - theirs))
        if abs(gap - theirs) < 0.5 and v_f > v_l + 0.5:
            # the engine's TTC is the constant-speed TTC of that gap
            assert ttc == pytest.approx(ttc_car_following(gap, v_f, v_l), rel=1e-9)
            ttc_pairs += 1
    err = np.array(errors)
    assert len(err) > 300
    assert np.median(err) < 0.15, np.median(err)
    assert np.mean(err < 0.5) >= 0.9, np.mean(err < 0.5)
    assert ttc_pairs >= 20
