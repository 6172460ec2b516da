"""testzone: simulation and permit checking for ICV, UAV and unmanned-ship test zones."""

__version__ = "0.1.0"
