"""The simulation engine: a SimPy environment driving numba kernels over the fleet arrays."""
