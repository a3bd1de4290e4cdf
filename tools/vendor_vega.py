"""simulation/yreb/viz/vendor/: the JavaScript that draws the comparison report's charts in the browser.

Vega, Vega-Lite and vega-embed (BSD-3-Clause, the UW Interactive Data Lab), their minified UMD builds, taken
from the npm registry at pinned versions and checked against the registry's SHA-512 integrity before anything
is written. The report inlines them, so that it stays one self-contained file that works offline. Run
``python tools/vendor_vega.py`` to rebuild the folder (same versions: same bytes).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "simulation" / "yreb" / "viz" / "vendor"
REGISTRY = "https://registry.npmjs.org"
# package, version, file in the tarball, dist.integrity from the registry (``npm view <package>@<version>``)
PACKAGES = [
    (
        "vega",
        "6.4.0",
        "build/vega.min.js",
        "sha512-rHXCq2LpEWCLMjXBEj7hocY9G0/i5TGYRayGGSj06VTF4+l2IG2Z7oeZKCjWbUh/7hTE/mVhbaOPB72wCElh6g==",
    ),
    (
        "vega-lite",
        "6.5.0",
        "build/vega-lite.min.js",
        "sha512-fMXF6s0MrIg0UTWnLIfeFtgSLzVhyzSKobzGrh5rhS+mL6FOYFG3m7ouJ4U23gj65EK+gl9FIIT5w7wLNaAzkA==",
    ),
    (
        "vega-embed",
        "7.3.0",
        "build/vega-embed.min.js",
        "sha512-wQ8s5GaSzqoKgmRfbRolgBrjE2CP7ZKHXqH7NijxMqPjpdWxSs4Dn8tvp9g0giQvh2cK+3p56sxjWWM0wNngGw==",
    ),
]


def tarball(package: str, version: str, integrity: str) -> tarfile.TarFile:
    """The package's tarball from the registry, after its SHA-512 matched ``integrity``."""
    url = f"{REGISTRY}/{package}/-/{package}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if digest != integrity:
        raise SystemExit(f"{url}: SHA-512 {digest} differs from the pinned {integrity}; nothing written")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def main(out: Path = OUT) -> None:
    """Write the pinned scripts, their licences and a README listing the sources into ``out``."""
    files: dict[str, bytes] = {}
    lines = ["# Vendored JavaScript (written by tools/vendor_vega.py; do not edit)", ""]
    for package, version, member, integrity in PACKAGES:
        with tarball(package, version, integrity) as tar:
            files[Path(member).name] = tar.extractfile(f"package/{member}").read()
            files[f"{package}.LICENSE.txt"] = tar.extractfile("package/LICENSE").read()
        lines.append(f"- {package} {version}: {REGISTRY}/{package}/-/{package}-{version}.tgz ({integrity})")
    files["README.md"] = ("\n".join(lines) + "\n").encode()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"wrote {out / name} ({len(data):,} bytes)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: %(default)s)")
    main(parser.parse_args().out)
