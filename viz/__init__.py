"""Replay viewer and headless rendering; reads trace files and the data model only."""
