"""Parameter sweeps: sweep files, designs (grid, LHS, Sobol, Morris), keyed runs streamed to Parquet shards,
local-process or Dask execution, and resume (docs/sweeps.md).

One module per concern, read in this order:

- ``schema``: the sweep file (``SweepFile``, ``VaryParameter``, ``parse_sweep``);
- ``designs``: the design registry (``DESIGNS``): each design's sampler, sensitivity indices and index names;
- ``paths``: scenario documents by dotted path (``set_path``, ``flatten``);
- ``plan``: the validated sweep with every run keyed (``plan_sweep``, ``SweepPlan``, ``run_key``);
- ``execute``: running the missing runs in this process, local processes or on Dask (``run_sweep``);
- ``store``: the sweep folder: shards, completed keys, final tables, metadata;
- ``analysis``: a sweep folder read back and its sensitivity indices (``yreb sweep-report``; plots and the
  report folder are in ``yreb.viz``).

What each run keeps per year are registered metrics (``yreb.analysis.metrics.METRICS``), the same that
``yreb compare`` reports.
"""
