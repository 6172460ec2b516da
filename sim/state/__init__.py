"""Fleet state: every agent's position, motion and parameters as struct-of-arrays."""
