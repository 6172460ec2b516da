"""Geodesy: the local ENU frame of a map and conversions into it."""
