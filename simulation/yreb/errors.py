"""Errors a user can cause and fix: the CLI prints them without a traceback and exits with code 2.

Library code names the arguments of its functions, never command-line flags: an error about an argument
gives ``option="scheduler"``, and text may refer to arguments as ``{force}``, ``{out}`` or ``{resume}``.
``str(error)`` renders them the Python way (``force=True``, argument 'scheduler'); the command line renders
them as its flags (``--force``, ``--scheduler``) with ``error.render(flags={...})``, passing the flags whose
names differ from the arguments' (e.g. ``{"to_year": "--to"}``).
"""

from __future__ import annotations

import errno
import re

EXIT_USER_ERROR = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C): 128 + 2
EXIT_TERMINATED = 143  # SIGTERM: 128 + 15
MAX_ECHO = 120  # characters of a bad value echoed in a message; longer values are cut

# arguments that are switches: written as name=True in Python and --name on the command line
SWITCHES = frozenset({"force", "resume", "decompose", "dry_run", "chinese", "more_figures"})
_ARGUMENT = re.compile(r"\{([a-z_]+)\}")


def short_repr(value: object, limit: int = MAX_ECHO) -> str:
    """``repr(value)``, cut to ``limit`` characters (with the full length) so that a message stays readable."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}...({len(text)} characters)"


def render_argument(name: str, flags: dict[str, str] | None) -> str:
    """``force`` -> ``--force`` (with ``flags``) or ``force=True``; ``out`` -> ``--out`` or ``out``."""
    if flags is not None:
        return flags.get(name, "--" + name.replace("_", "-"))
    return f"{name}=True" if name in SWITCHES else name


class UserInputError(Exception):
    """Bad input: names the file (and line), the field or argument, the bad value and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
        line: int | None = None,
        option: str | None = None,
    ):
        self.message, self.file, self.field, self.value = message, file, field, value
        self.expected, self.line, self.option = expected, line, option
        super().__init__(self.render())

    def render(self, flags: dict[str, str] | None = None) -> str:
        """The one-line message, with arguments written as Python arguments or (``flags``) command-line flags."""

        def text(template: str) -> str:
            return _ARGUMENT.sub(lambda m: render_argument(m.group(1), flags), template)

        parts = []
        if self.file:
            parts.append(f"{self.file}" + (f", line {self.line}" if self.line else ""))
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.option:
            parts.append(render_argument(self.option, flags) if flags is not None else f"argument '{self.option}'")
        head = ": ".join([", ".join(parts), text(self.message)]) if parts else text(self.message)
        if self.value is not None:
            head += f" (got {short_repr(self.value)})"
        if self.expected:
            head += f"; expected {text(self.expected)}"
        return head


class ModelInvariantError(RuntimeError):
    """A model invariant broke during a run (non-finite or negative stock, lost people or capital)."""

    def __init__(self, year: int, region: str, quantity: str, detail: str):
        self.year, self.region, self.quantity = year, region, quantity
        super().__init__(f"model invariant broken in year {year}, region {region}, {quantity}: {detail}")


# errno values that describe the environment (the disk, the folder chosen, a closed output) rather than a bug
ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ENOSPC",
        "EDQUOT",
        "EROFS",
        "EACCES",
        "EPERM",
        "ENAMETOOLONG",
        "ENOTDIR",
        "EISDIR",
        "ELOOP",
        "EEXIST",
        "ENOENT",
        "EPIPE",
        "EXDEV",
        "EMFILE",
        "ENFILE",
        "EFBIG",
        "EIO",
        "ENOTEMPTY",
        "EBUSY",
        "ETXTBSY",
        "EILSEQ",
    )
    if hasattr(errno, name)
)


class FilesystemError(Exception):
    """The file system refused an operation (no space, read-only, name too long, not a folder, ...).

    Names the path and what was being done; the CLI prints it as one ``error:`` line and exits with 2 when the
    cause is the environment (``ENVIRONMENT_ERRNOS``), 1 otherwise."""

    def __init__(self, action: str, path: str | None, exc: OSError | None = None, hint: str = ""):
        self.action, self.path, self.errno = action, path, exc.errno if exc is not None else None
        reason = describe_os_error(exc) if exc is not None else ""
        text = f"{path}: " if path else ""
        text += action + (f": {reason}" if reason else "")
        super().__init__(text + (f"; {hint}" if hint else ""))

    @property
    def exit_code(self) -> int:
        """2 when the environment caused it (disk full, read-only, ...), 1 otherwise."""
        return EXIT_USER_ERROR if self.errno is None or self.errno in ENVIRONMENT_ERRNOS else EXIT_FAILURE


def describe_os_error(exc: BaseException) -> str:
    """The reason of an OSError in words (``No space left on device``), without its path."""
    if isinstance(exc, UnicodeError):
        return "the path is not valid UTF-8 text"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the command stops, writes nothing partial and exits 130 or 143."""

    def __init__(self, signum: int = 2):
        self.signum = signum
        super().__init__(f"signal {signum}")

    @property
    def exit_code(self) -> int:
        """128 + the signal number (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum
