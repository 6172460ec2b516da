"""Road, air-corridor and waterway graphs (networkx) built from a map, and routing."""
