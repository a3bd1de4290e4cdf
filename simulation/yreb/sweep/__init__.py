"""Parameter sweeps: sweep files, designs, plans, execution (local processes or Dask), shards, analysis."""
