"""The scenario (TOML): when, where, which vehicles do what, under which permits.

Top-level keys: ``name``, ``start`` (ISO date-time with offset), ``duration``, ``dt``,
``seed``, ``map`` and ``zones``/``permits`` (file paths relative to the scenario file), then
arrays of tables ``[[vehicle_type]]``, ``[[permit]]``, ``[[agent]]``, ``[[flow]]`` and
``[[event]]``. Times inside the scenario (a departure, an event) are seconds from ``start``
or ISO date-times, converted once to seconds from ``start``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, model_validator
from shapely import Polygon
from shapely.validation import explain_validity

from sim.model.altitude import Altitude
from sim.model.base import Identifier, StrictModel
from sim.model.errors import field_error
from sim.model.permit import Permit, Phase
from sim.model.timeutil import AwareDatetime, TimeZoneName, _parse_aware_datetime, zone_info
from sim.model.units import Metres, MetresPerSecond, PerSecond, Radians, Seconds, parse_duration
from sim.model.vehicle import VehicleType

MAX_DURATION = 7 * 86400.0
"""Longest scenario (s)."""
MAX_TICKS = 100_000_000
"""Most physics ticks in one run (duration / dt)."""
MAX_LATENCY_TICKS = 15
"""Longest V2X latency in ticks (the channel keeps this many ticks of history, plus one)."""


def _time_ref(value: Any) -> Any:
    """Accept seconds (number or ``"15 min"``) or an ISO date-time; datetimes stay datetimes."""
    if isinstance(value, (dt.datetime, dt.date)):
        return _parse_aware_datetime(value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[:4].isdigit():
        return _parse_aware_datetime(value)
    if value is None or isinstance(value, (bool, list, dict)):
        raise ValueError(
            f"expected a time: seconds after start (e.g. 90 or '15 min') or an ISO date-time "
            f"with offset, got {value!r}"
        )
    return parse_duration(value)


TimeRef = Annotated[float | dt.datetime, BeforeValidator(_time_ref)]
"""A scenario time: seconds after ``start`` or an aware date-time (normalised to seconds)."""
SceneSeconds = Annotated[Seconds, Field(ge=0.0, le=MAX_DURATION)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""A finite number (a coordinate)."""


class _Mission(StrictModel):
    """Where an agent or flow goes: a route of node ids, or an origin and a destination."""

    route: tuple[Identifier, ...] | None = None
    origin: Identifier | None = None
    destination: Identifier | None = None

    @model_validator(mode="after")
    def _route_or_od(self) -> _Mission:
        if self.route is not None:
            if self.origin is not None or self.destination is not None:
                raise field_error(
                    "route", "give either 'route' or 'origin'/'destination', not both"
                )
            if len(self.route) < 2:
                raise field_error("route", "a route needs at least two nodes")
        elif self.origin is None or self.destination is None:
            raise field_error(
                "route", "give a 'route' (node ids) or both 'origin' and 'destination'"
            )
        elif self.origin == self.destination:
            raise field_error("destination", "origin and destination are the same node")
        return self

    @property
    def endpoints(self) -> tuple[str, str]:
        """First and last node of the mission."""
        if self.route is not None:
            return self.route[0], self.route[-1]
        assert self.origin is not None and self.destination is not None
        return self.origin, self.destination


class DriveHistory(StrictModel):
    """An ICV's recorded automated driving, checked against the stage gates of Art. 43.

    Times are seconds (``"260 h"`` accepted), distances metres (``"1200 km"`` accepted).
    """

    automated_time: Annotated[Seconds, Field(ge=0.0, le=1.0e9)] = 0.0
    """Time driven in automated mode on ``sections`` (s)."""
    automated_distance: Annotated[Metres, Field(ge=0.0, le=1.0e10)] = 0.0
    """Distance driven in automated mode on ``sections`` (m)."""
    sections: tuple[Identifier, ...] = ()
    """Road edges (map ids, without ``:rev``) the time and distance were recorded on."""
    violations: Annotated[StrictInt, Field(ge=0, le=100_000)] = 0
    """Traffic violations recorded in automated mode."""
    at_fault_accidents: Annotated[StrictInt, Field(ge=0, le=100_000)] = 0
    """Accidents in automated mode for which the vehicle was at fault."""


class IntentVolume(StrictModel):
    """One 4-D volume of a UAV's declared operational intent (an ASTM F3548 ``Volume4D``).

    The outline is a polygon (``outline``: its ring of positions in the map file's
    coordinates, lon/lat in degrees for a ``wgs84`` map, east/north metres for a ``local``
    one; closing it is optional) or a circle (``center`` and ``radius`` in metres). The
    altitude band runs from ``floor`` to ``ceiling`` and the time window from ``start`` to
    ``end`` (seconds after the scenario start, or ISO date-times with an offset).
    """

    outline: tuple[tuple[FiniteFloat, FiniteFloat], ...] | None = None
    """Polygon ring ``[[x, y], ...]`` (deg for wgs84 maps, m for local ones)."""
    center: tuple[FiniteFloat, FiniteFloat] | None = None
    """Centre ``[x, y]`` of a circle outline (deg for wgs84 maps, m for local ones)."""
    radius: Annotated[Metres, Field(gt=0.0, le=200_000.0)] | None = None
    """Radius (m) of a circle outline."""
    floor: Altitude
    ceiling: Altitude
    start: TimeRef
    end: TimeRef

    @model_validator(mode="after")
    def _check(self) -> IntentVolume:
        if self.outline is not None:
            if self.center is not None or self.radius is not None:
                raise field_error(
                    "outline", "give either 'outline' (a polygon) or 'center' and 'radius'"
                )
            ring = list(self.outline)
            if len(ring) > 1 and ring[0] == ring[-1]:
                ring = ring[:-1]
            if len(set(ring)) < 3:
                raise field_error("outline", "a polygon outline needs at least 3 distinct points")
            shape = Polygon(ring)
            if not shape.is_valid or shape.area <= 0.0:
                why = explain_validity(shape) if not shape.is_valid else "zero area"
                raise field_error("outline", f"invalid polygon: {why}")
        elif self.center is None or self.radius is None:
            raise field_error(
                "outline", "give an 'outline' (a polygon) or both 'center' and 'radius'"
            )
        if self.floor.datum == self.ceiling.datum and self.floor.value >= self.ceiling.value:
            raise field_error("ceiling", f"floor {self.floor} is not below ceiling {self.ceiling}")
        if type(self.start) is type(self.end) and self.end <= self.start:  # type: ignore[operator]
            raise field_error("end", "end is not after start")
        return self


IntentState = Literal["Accepted", "Activated", "Nonconforming", "Contingent"]
"""States of an ASTM F3548 operational intent that a plan can be in."""
DECONFLICTED_STATES: tuple[str, ...] = ("Accepted", "Activated")
"""Intent states that strategic deconfliction admits or refuses; Nonconforming and
Contingent intents are off their plan and are neither refused nor block others."""


class RoadStart(StrictModel):
    """Where an ICV starts on the first edge of its route, instead of at the lane's start."""

    s: Annotated[Metres, Field(ge=0.0, le=1.0e6)]
    """Front bumper's distance (m) along the first edge of the route."""
    lane: Annotated[StrictInt, Field(ge=0, le=7)] = 0
    """Lane, 0 = rightmost."""
    speed: Annotated[MetresPerSecond, Field(ge=0.0, le=150.0)] = 0.0
    """Initial speed (m/s)."""


class Trajectory(StrictModel):
    """A recorded trajectory (ICVs only): states every ``dt`` s from the agent's departure.

    Positions are the body centre in the map file's coordinates (east/north metres for a
    ``local`` map, lon/lat degrees for a ``wgs84`` one); ``heading`` is radians from east,
    counter-clockwise; ``speed`` m/s. All four lists have one entry per state.
    """

    dt: Annotated[Seconds, Field(gt=0.0, le=60.0)]
    """Time between states (s)."""
    x: tuple[FiniteFloat, ...] = Field(min_length=2, max_length=1_000_000)
    y: tuple[FiniteFloat, ...] = Field(min_length=2, max_length=1_000_000)
    heading: tuple[FiniteFloat, ...] = Field(min_length=2, max_length=1_000_000)
    speed: tuple[Annotated[MetresPerSecond, Field(ge=0.0, le=150.0)], ...] = Field(
        min_length=2, max_length=1_000_000
    )
    lane: tuple[Annotated[StrictInt, Field(ge=-1, le=7)], ...] | None = None
    """Recorded lane of each state (0 = rightmost; -1 unknown, e.g. inside a junction).
    Default: the lane whose centre line is nearest each position."""

    @model_validator(mode="after")
    def _same_lengths(self) -> Trajectory:
        n = len(self.x)
        for key in ("y", "heading", "speed", "lane"):
            if getattr(self, key) is not None and len(getattr(self, key)) != n:
                raise field_error(key, f"has {len(getattr(self, key))} states, 'x' has {n}")
        return self


class AgentSpec(_Mission):
    """A scheduled test vehicle, UAV or ship."""

    id: Identifier
    type: Identifier
    """Vehicle type id (built-in or a ``[[vehicle_type]]``)."""
    permit: Identifier | None = None
    depart: TimeRef = 0.0
    speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)] | None = None
    """Planned cruise speed (m/s); default: the type's and the map's limits."""
    altitude: Altitude | None = None
    """Planned cruise altitude (UAVs only)."""
    safety_driver: StrictBool | None = None
    """Whether a safety driver is aboard (ICVs only; default true)."""
    occupants: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    """Persons aboard besides the safety driver (ICVs only)."""
    phase: Phase | None = None
    """The test phase this run belongs to; must be the permit's (default: the permit's)."""
    history: DriveHistory | None = None
    """ICVs only: the vehicle's recorded automated driving, for the stage gates of Art. 43."""
    priority: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None
    """UAVs only: priority of the flight plan in strategic deconfliction (ASTM F3548);
    higher wins; default 0."""
    swarm: StrictBool = False
    """UAVs only: a swarm or distributed operation (Decree 761 Art. 31)."""
    over_crowds: StrictBool = False
    """UAVs only: the flight passes over crowds (Decree 761 Art. 31)."""
    drops_items: StrictBool = False
    """UAVs only: the flight carries dangerous goods or drops items (Decree 761 Art. 31)."""
    control_from_vehicle: StrictBool = False
    """UAVs only: the pilot controls it from a moving vehicle (Decree 761 Art. 31)."""
    cellular_control: StrictBool = False
    """UAVs only: control relayed over cellular or internet links (Decree 761 Art. 31)."""
    volumes: tuple[IntentVolume, ...] = ()
    """UAVs only: the flight's declared 4-D volumes (an ASTM F3548 operational intent). When
    given, strategic deconfliction uses them instead of the volumes around the route."""
    intent_state: IntentState | None = None
    """UAVs only: the F3548 state of the flight's operational intent (default Accepted).
    Nonconforming and Contingent intents are not deconflicted."""
    background: StrictBool = False
    """Background traffic (a recorded or scripted road user, not a vehicle under test): no
    permit, and not checked by ``testzone check`` (as flows are not); run-time safety
    applies to it as to every agent."""
    start: RoadStart | None = None
    """ICVs only: start at this place and speed on the route's first edge (default: at the
    start of the lane with the most room, at the speed that room allows)."""
    trajectory: Trajectory | None = None
    """ICVs only: a recorded trajectory, replayed (``trajectories = "replay"``) or only used
    for its first state (``"simulate"``: the agent then drives itself from there)."""
    connected: StrictBool = False
    """ICVs only: the vehicle has a V2X unit and drives with CACC (ACC when messages stop);
    see the scenario's ``[v2x]`` table."""

    FLIGHT_FLAGS: ClassVar[tuple[str, ...]] = (
        "swarm",
        "over_crowds",
        "drops_items",
        "control_from_vehicle",
        "cellular_control",
    )
    """UAV operation flags that cancel the no-application exemption of Decree 761 Art. 31."""

    def flight_flags(self) -> tuple[str, ...]:
        """The operation flags of :attr:`FLIGHT_FLAGS` that are set."""
        return tuple(f for f in self.FLIGHT_FLAGS if getattr(self, f))


class FlowSpec(_Mission):
    """Background traffic: vehicles of a type (or a mix) departing as a seeded Poisson process."""

    id: Identifier
    type: Identifier | None = None
    mix: dict[Identifier, Annotated[float, Field(gt=0.0, le=1.0)]] | None = None
    """Shares of vehicle types (summing to 1), instead of a single ``type``."""
    rate: Annotated[PerSecond, Field(gt=0.0, le=10.0)]
    """Mean departures per second (``"600 /h"`` accepted)."""
    begin: TimeRef = 0.0
    end: TimeRef | None = None
    """End of departures; default: the scenario's end."""
    speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)] | None = None
    altitude: Altitude | None = None
    connected: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    """ICV flows only: share of the flow's vehicles that are connected (the penetration rate).
    Each vehicle's draw comes from its own noise key, so raising the share keeps every
    vehicle connected at the lower share connected and changes nothing else in the flow."""

    @model_validator(mode="after")
    def _type_or_mix(self) -> FlowSpec:
        if (self.type is None) == (self.mix is None):
            raise field_error("type", "give exactly one of 'type' and 'mix'")
        if self.mix is not None:
            total = sum(self.mix.values())
            if abs(total - 1.0) > 1e-6:
                raise field_error("mix", f"mix shares sum to {total:g}, expected 1")
        return self

    def type_ids(self) -> list[str]:
        """Vehicle type ids the flow uses."""
        return [self.type] if self.type is not None else list(self.mix or {})


class _Event(StrictModel):
    at: TimeRef


class ZoneEvent(_Event):
    """Close (activate) or open (deactivate) a zone at a time, overriding its schedule."""

    action: Literal["close_zone", "open_zone"]
    zone: Identifier


class AgentEvent(_Event):
    """Stop or resume an agent at a time."""

    action: Literal["stop_agent", "resume_agent"]
    agent: Identifier


class SpeedLimitEvent(_Event):
    """Change the speed limit of a directed edge at a time."""

    action: Literal["set_speed_limit"]
    edge: Identifier
    speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)]


class FaultEvent(_Event):
    """A fault of connected driving over a time window, in one zone or everywhere.

    - ``v2x_blackout``: no V2X message is delivered to or from a vehicle inside (e.g.
      jamming, a tunnel, a failed roadside network);
    - ``v2x_degrade``: delivery probability times ``factor``;
    - ``gnss_degrade``: each vehicle's GNSS fix is off by ``bias`` (m east, m north) plus
      white noise of ``noise`` m standard deviation per axis, redrawn every tick. Only the
      vehicle's controllers and the positions it broadcasts see the error; collisions,
      fences and metrics use the true position;
    - ``sensor_dropout``: the vehicles' on-board perception (radar, camera) is out; a
      connected vehicle keeps its leader's gap from V2X, any other brakes to a stop.

    ``zone``: a zone id of the scenario's zone files (its horizontal outline counts, not its
    altitude band); ``agent``: one agent; neither: every vehicle. The window is ``at`` to
    ``until`` (default: the end of the run). Faults of one kind that overlap combine:
    factors multiply, biases add, noise variances add.
    """

    action: Literal["v2x_blackout", "v2x_degrade", "gnss_degrade", "sensor_dropout"]
    until: TimeRef | None = None
    zone: Identifier | None = None
    agent: Identifier | None = None
    factor: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    """``v2x_degrade`` only: delivery probability factor (0 = blackout, 1 = nominal)."""
    noise: Annotated[Metres, Field(ge=0.0, le=1000.0)] = 0.0
    """``gnss_degrade`` only: standard deviation (m) of the fix's error per axis."""
    bias: tuple[FiniteFloat, FiniteFloat] = (0.0, 0.0)
    """``gnss_degrade`` only: constant error (m east, m north) of the fix."""

    @model_validator(mode="after")
    def _fields_of_action(self) -> FaultEvent:
        if self.zone is not None and self.agent is not None:
            raise field_error("zone", "give at most one of 'zone' and 'agent'")
        if (self.factor is None) == (self.action == "v2x_degrade"):
            raise field_error("factor", "give 'factor' with v2x_degrade, and only with it")
        if self.action != "gnss_degrade" and (self.noise != 0.0 or self.bias != (0.0, 0.0)):
            raise field_error("noise", "'noise' and 'bias' belong to gnss_degrade")
        if isinstance(self.until, float) and isinstance(self.at, float) and self.until <= self.at:
            raise field_error("until", f"until {self.until} s is not after at {self.at} s")
        return self


EventSpec = Annotated[
    ZoneEvent | AgentEvent | SpeedLimitEvent | FaultEvent, Field(discriminator="action")
]


class V2x(StrictModel):
    """The V2X channel and the connected vehicles' controllers (``[v2x]``; SI units).

    Channel: Nakagami-m (m = 3) fading with ``range`` as the distance where the mean power
    meets the threshold (:mod:`sim.kernels.v2x`). Controller: CACC of Ploeg et al. (2011)
    with an ACC fallback (:mod:`sim.kernels.cacc`).
    """

    range: Annotated[Metres, Field(gt=0.0, le=5000.0)] = 300.0
    """Channel range ``r`` (m): 42 % of packets arrive at this distance, 91 % at half."""
    cam_rate: Annotated[PerSecond, Field(gt=0.0, le=100.0)] = 10.0
    """CAM broadcasts per second (ETSI CAMs: 1 to 10 Hz; platooning uses 10 Hz)."""
    latency: Annotated[Seconds, Field(ge=0.0, le=1.5)] = 0.1
    """Time (s) from sending to use (processing and queueing)."""
    spat_rate: Annotated[PerSecond, Field(gt=0.0, le=100.0)] = 10.0
    """SPaT broadcasts per second of each signalised approach (SAE J2735: 10 Hz)."""
    spat_range: Annotated[Metres, Field(gt=0.0, le=5000.0)] = 300.0
    """Range (m) of the roadside units sending SPaT."""
    timeout: Annotated[Seconds, Field(gt=0.0, le=10.0)] = 0.5
    """A follower falls back to ACC when its leader's last CAM is older than this (s)."""
    time_gap: Annotated[Seconds, Field(gt=0.0, le=5.0)] = 0.7
    """CACC time gap ``h`` (s)."""
    acc_time_gap: Annotated[Seconds, Field(gt=0.0, le=5.0)] = 1.5
    """ACC fallback time gap (s)."""
    kp: Annotated[float, Field(gt=0.0, le=10.0)] = 0.2
    """Gain on the spacing error (1/s^2)."""
    kd: Annotated[float, Field(gt=0.0, le=10.0)] = 0.7
    """Gain on its rate (1/s)."""
    tau: Annotated[Seconds, Field(ge=0.0, le=2.0)] = 0.1
    """Driveline time constant (s)."""
    standstill: Annotated[Metres, Field(ge=0.0, le=20.0)] = 2.0
    """Standstill distance ``r`` (m) of the spacing policy."""
    platoon_max: Annotated[StrictInt, Field(ge=2, le=100)] = 8
    """Most vehicles in one platoon, head included; the next one heads a new platoon."""
    glosa: StrictBool = False
    """Signal-aware approach speed from SPaT (GLOSA) for connected vehicles."""

    def controller_overrides(self) -> dict[str, float]:
        """Parameters of :func:`sim.kernels.cacc.cacc_config` this table sets."""
        return {
            "h": self.time_gap,
            "h_acc": self.acc_time_gap,
            "kp": self.kp,
            "kd": self.kd,
            "tau": self.tau,
            "r": self.standstill,
            "timeout": self.timeout,
            "platoon_max": float(self.platoon_max),
            "glosa": 1.0 if self.glosa else 0.0,
        }


class Wind(StrictModel):
    """Wind for UAVs: a constant mean plus seeded gusts (first-order Gauss-Markov per agent)."""

    speed: Annotated[MetresPerSecond, Field(ge=0.0, le=60.0)] = 0.0
    """Mean wind speed (m/s)."""
    direction: Annotated[Radians, Field(ge=-7.0, le=7.0)] = 0.0
    """Direction the wind blows FROM, clockwise from north (rad; ``"270 deg"`` = westerly)."""
    gust_std: Annotated[MetresPerSecond, Field(ge=0.0, le=30.0)] = 0.0
    """Standard deviation of each horizontal gust component (m/s)."""
    gust_tau: Annotated[Seconds, Field(gt=0.0, le=3600.0)] = 10.0
    """Correlation time of the gusts (s)."""

    def mean_vector(self) -> tuple[float, float]:
        """Mean wind as (east, north) components (m/s): the air moves towards direction + pi."""
        return (-self.speed * math.sin(self.direction), -self.speed * math.cos(self.direction))


class Separation(StrictModel):
    """UAV separation: the protected zone and the conflict look-ahead."""

    rpz: Annotated[Metres, Field(gt=0.0, le=10_000.0)] = 50.0
    """Horizontal radius of the protected zone (m)."""
    hpz: Annotated[Metres, Field(gt=0.0, le=3_000.0)] = 15.0
    """Vertical half-height of the protected zone (m)."""
    lookahead: Annotated[Seconds, Field(gt=0.0, le=3600.0)] = 30.0
    """Conflict detection look-ahead time (s)."""
    interval: Annotated[Seconds, Field(gt=0.0, le=60.0)] = 1.0
    """Time between conflict-detection passes (s), as BlueSky's ASAS interval."""
    resolution: Literal["none", "mvp"] = "none"
    """Tactical conflict resolution: ``none`` (detect only) or ``mvp`` (BlueSky's modified
    voltage potential, as far as a corridor-bound UAV can fly it: along-track speed and climb;
    see ``sim.engine.resolution``)."""


class Scenario(StrictModel):
    """A scenario file as written (paths unresolved; times normalised to seconds)."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    start: AwareDatetime
    time_zone: TimeZoneName | None = None
    """IANA zone the scenario is set in; ``start``'s offset must match it."""
    duration: Annotated[Seconds, Field(gt=0.0, le=MAX_DURATION)]
    dt: Annotated[Seconds, Field(ge=0.001, le=10.0)] = 0.1
    """Physics time step (s)."""
    seed: Annotated[StrictInt, Field(ge=0, lt=2**63)] = 0
    record_every: Annotated[StrictInt, Field(ge=1, le=100_000)] = 10
    """Write a trace frame every this many ticks."""
    map: str = Field(min_length=1)
    zones: tuple[str, ...] = ()
    permits: tuple[str, ...] = ()
    vehicle_type: tuple[VehicleType, ...] = ()
    permit: tuple[Permit, ...] = ()
    agent: tuple[AgentSpec, ...] = ()
    flow: tuple[FlowSpec, ...] = ()
    event: tuple[EventSpec, ...] = ()
    wind: Wind = Wind()
    separation: Separation = Separation()
    v2x: V2x = V2x()
    trajectories: Literal["replay", "simulate"] = "replay"
    """What agents with a recorded ``trajectory`` do: ``replay`` follows it exactly (others
    see them as leaders); ``simulate`` drives them with their type's models (IDM, MOBIL) from
    their first recorded state."""
    submitted: AwareDatetime | None = None
    """When the flight or test plan was submitted to the platform (aware date-time); the
    "now" of the application deadlines (Decree 761 Art. 26). ``None``: not checked."""
    notified: AwareDatetime | None = None
    """When the sea trial was reported to the maritime authority (aware date-time; Maritime
    Traffic Safety Law Art. 49). ``None``: not checked."""

    @model_validator(mode="before")
    @classmethod
    def _times_to_seconds(cls, data: Any) -> Any:
        """Turn date-times of departures, flows and events into seconds after ``start``."""
        if not isinstance(data, dict):
            return data
        try:
            start = _parse_aware_datetime(data.get("start"))
        except ValueError:
            return data
        out = dict(data)
        tables = (("agent", ("depart",)), ("flow", ("begin", "end")), ("event", ("at", "until")))
        for table, keys in tables:
            items = out.get(table)
            if not isinstance(items, list):
                continue
            new_items = []
            for item in items:
                if isinstance(item, dict):
                    item = dict(item)
                    for key in keys:
                        try:
                            when = _time_ref(item.get(key))
                        except ValueError:
                            continue
                        if isinstance(when, dt.datetime):
                            item[key] = (when - start).total_seconds()
                new_items.append(item)
            out[table] = new_items
        return out

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.time_zone is not None:
            expected = self.start.astimezone(zone_info(self.time_zone)).utcoffset()
            if expected != self.start.utcoffset():
                raise field_error(
                    "start",
                    f"start {self.start.isoformat()} has offset "
                    f"{_fmt_offset(self.start.utcoffset())} but {self.time_zone} is at "
                    f"{_fmt_offset(expected)} then",
                )
        if self.dt > self.duration:
            raise field_error("dt", f"dt {self.dt:g} s is longer than duration {self.duration:g} s")
        if self.v2x.latency / self.dt > MAX_LATENCY_TICKS + 1e-9:
            raise field_error(
                "v2x.latency",
                f"latency {self.v2x.latency:g} s is {self.v2x.latency / self.dt:g} ticks of "
                f"dt {self.dt:g} s; at most {MAX_LATENCY_TICKS} ticks are kept",
            )
        if self.duration / self.dt > MAX_TICKS:
            raise field_error(
                "dt",
                f"duration / dt = {self.duration / self.dt:.3g} ticks, more than {MAX_TICKS:.0e}",
            )
        return self

    @property
    def end(self) -> dt.datetime:
        """The aware instant the scenario ends."""
        return self.start + dt.timedelta(seconds=self.duration)

    def instant(self, t: float) -> dt.datetime:
        """The aware instant of scenario time ``t`` (s after start)."""
        return self.start + dt.timedelta(seconds=t)


def _fmt_offset(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "none"
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
