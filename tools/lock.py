"""constraints.txt: the exact versions of the project's dependency closure, from the running environment.

``make run``, ``make test`` and CI install with ``pip install -c constraints.txt``, so every machine runs the
same package versions (the condition of the bit-for-bit reproducibility that results promise). The file
holds ``name==version`` for every distribution that the project's requirements (with the extras ``test``
and ``dev``, which contain every other extra but ``iamc``) reach in this environment, markers evaluated for
this interpreter and platform; nothing else that happens to be installed.

    .venv/bin/python tools/lock.py            # print the lock of this environment
    .venv/bin/python tools/lock.py --write    # write constraints.txt
    .venv/bin/python tools/lock.py --check    # exit 1 if this environment differs from constraints.txt
    .venv/bin/python tools/lock.py --check --extras test   # the same for an environment without the dev tools
    make lock                                 # resolve the newest versions in a fresh venv and write the file

constraints-iamc.txt is the same for the extra ``iamc`` (pyam), in an environment of its own: pyam caps numpy,
matplotlib or pandas below the versions of constraints.txt (``make lock`` writes both files).
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "constraints.txt"
EXTRAS = ("test", "dev")
HEADER = """\
# Exact versions of yreb-flows' dependency closure (extras {extras}), for Python {python} on {system}.
# Used as pip install -c {file} ... (make run, make test and CI use constraints.txt).
# Regenerate with `make lock` (newest versions) or tools/lock.py --write (this venv).
"""


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project() -> tuple[str, list[Requirement], dict[str, list[Requirement]]]:
    """(name, requirements, extras) of the project as pyproject.toml declares them."""
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {k: [Requirement(r) for r in v] for k, v in doc.get("optional-dependencies", {}).items()}
    return doc["name"], [Requirement(r) for r in doc.get("dependencies", [])], extras


def closure(extras: tuple[str, ...] = EXTRAS) -> dict[str, str]:
    """{distribution name: installed version} of everything the project's requirements reach here."""
    name, requirements, declared = project()
    todo = [(r, ()) for r in requirements]
    seen_extras: set[str] = set()

    def add_extras(wanted):
        for extra in wanted:
            if extra not in seen_extras:
                seen_extras.add(extra)
                todo.extend((r, ()) for r in declared[extra])

    add_extras(extras)
    found: dict[str, str] = {}
    done: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        req, parent_extras = todo.pop()
        # a dependency's line "x; extra == 'viz'" counts only when that dependency was asked for with [viz]
        if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in (parent_extras or ("",))):
            continue
        dist_name = canonical(req.name)
        if dist_name == canonical(name):  # the project's own extras, e.g. yreb-flows[test] in dev
            add_extras(sorted(req.extras))
            continue
        key = (dist_name, tuple(sorted(req.extras)))
        if key in done:
            continue
        done.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{req.name} is required but not installed: install the project with its extras") from None
        found[canonical(dist.metadata["Name"])] = dist.version
        for line in dist.requires or []:
            todo.append((Requirement(line), tuple(sorted(req.extras))))
    return dict(sorted(found.items()))


def render(versions: dict[str, str], extras: tuple[str, ...] = EXTRAS, file: str = LOCK.name) -> str:
    """The text of a constraints file for these versions."""
    system = f"{platform.system()} {platform.machine()}"
    head = HEADER.format(extras=" and ".join(extras), file=file, python=platform.python_version(), system=system)
    return head + "".join(f"{name}=={version}\n" for name, version in versions.items())


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """{name: version} pinned by a constraints file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonical(name)] = version
    return pins


def main() -> int:
    """Print, write or check the lock."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {LOCK.name}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 if this environment differs from {LOCK.name}")
    parser.add_argument(
        "--extras", nargs="+", default=list(EXTRAS), help=f"extras whose closure counts (default: {' '.join(EXTRAS)})"
    )
    parser.add_argument("--file", type=Path, default=LOCK, help=f"constraints file (default: {LOCK.name})")
    args = parser.parse_args()
    extras, path = tuple(args.extras), ROOT / args.file
    versions = closure(extras)
    if args.write:
        path.write_text(render(versions, extras, path.name), encoding="utf-8")
        print(f"wrote {path} ({len(versions)} distributions)")
    elif args.check:
        pins = read_lock(path)
        diff = {n: (pins.get(n), v) for n, v in versions.items() if pins.get(n) != v}
        for n, (pinned, installed) in diff.items():
            print(f"{n}: constraints.txt {pinned or 'not pinned'}, installed {installed}", file=sys.stderr)
        return 1 if diff else 0
    else:
        sys.stdout.write(render(versions, extras, path.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
