"""``yreb export``."""

from __future__ import annotations

from pathlib import Path

from yreb.export import FORMATS, check_request  # standard library only: --help and errors stay fast


def cmd_export(args) -> int:
    """Export a result folder as an IAMC table, a NetCDF file or the tidy CSV."""
    check_request(args.result_dir, args.format, args.out, args.force)  # typos are reported at once

    from yreb.export.files import export_result

    path = export_result(args.result_dir, args.format, out=args.out, force=args.force)
    print(f"wrote {path}")
    return 0


def add_commands(subparsers) -> None:
    """Add ``export``."""
    p = subparsers.add_parser(
        "export",
        help="export a result folder: IAMC long format (pyam), NetCDF (xarray) or the tidy CSV",
        description="Export a result folder written by 'yreb run'. iamc: model, scenario, region, variable, "
        "unit, year, value (median across replications, with <variable>|q05 and |q95), loadable by "
        "pyam.IamDataFrame; netcdf: one variable per model variable over scenario x replication x region x year "
        "(needs the extra 'netcdf'); csv: the tidy table, every replication. Names and units: docs/API.md.",
    )
    p.add_argument("result_dir", type=Path, metavar="RESULT_DIR", help="result folder written by 'yreb run'")
    p.add_argument("--format", required=True, choices=list(FORMATS), help="iamc, netcdf or csv")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="file to write (default: beside RESULT_DIR, e.g. results/baseline.iamc.csv, .nc or .csv)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_export)
