"""Running scenarios: replications in memory, result folders written atomically, provenance."""
