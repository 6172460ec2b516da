"""Implementations of the CLI commands (kept out of ``sim.cli`` so start-up stays fast)."""
