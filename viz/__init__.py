"""Replay viewer, headless renders and run reports; reads trace files and the data model only.

Layer rule (DESIGN.md): ``viz`` imports :mod:`sim.model` and :mod:`sim.trace`, never the
engine, simpy or numba. Map coordinates reach the local frame through a projector the caller
passes in (the ``testzone`` commands hand over :mod:`sim.geo`'s).

- :mod:`viz.replay` opens a trace with its map and zones (:mod:`viz.scene`), agent states at
  any time (:mod:`viz.agents`) and events (:mod:`viz.events`).
- :mod:`viz.app` is the viewer (:class:`~viz.app.Viewer`): input, playback, drawing, built from
  :mod:`viz.view` (state, layout), :mod:`viz.camera`, :mod:`viz.mapdraw`,
  :mod:`viz.agentdraw` (batched through :mod:`viz.raster`), :mod:`viz.overlay`,
  :mod:`viz.timeline`, :mod:`viz.panel`, :mod:`viz.colours` and :mod:`viz.fonts`.
- :mod:`viz.render` writes PNG, GIF and MP4 with the viewer's drawing code;
  :mod:`viz.report` writes the HTML run report (:mod:`viz.metrics`, :mod:`viz.charts`).
"""
