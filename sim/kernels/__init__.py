"""numba kernels over struct-of-arrays state; ``reference.py`` holds their plain-numpy twins.

Kernels take and return arrays and scalars only (no Python objects, no globals) and are
compiled with ``cache=True`` so a process pays the compile time once per machine.
"""
