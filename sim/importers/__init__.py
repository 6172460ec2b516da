"""Importers: other tools' files (SUMO networks ...) -> testzone model documents.

An importer reads a foreign file with the standard library or a plain third-party parser
and returns the same plain document a testzone file holds (e.g. a map FeatureCollection
dict), so the result goes through the ordinary validation of :mod:`sim.model`. Importers
may use :mod:`sim.model`, :mod:`sim.geo` and :mod:`sim.network` only (DESIGN.md layers).
"""
