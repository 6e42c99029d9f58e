"""Files in and out, so that no user data is lost and no input can exhaust memory.

Writing: :func:`check_output_path` is the output-path policy every writer follows (regular
files only; never a symlink, a device, a directory, a read-only file or an input of the same
command), and :func:`write_text_atomic` writes a temp file beside the target, then renames it.
Reading: :func:`read_bytes_limited` reads an input file with a size cap, so ``/dev/zero`` or
a huge file fails at once with an error naming the file instead of eating memory.
:func:`locked` serialises read-modify-write of one file across processes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import DataFileError, Problem

__all__ = [
    "MAX_INPUT_BYTES",
    "check_output_path",
    "locked",
    "read_bytes_limited",
    "write_text_atomic",
]

# The largest input file read (food tables, profiles): the whole SR28 release as one food
# table is about 5 MB, so 64 MB leaves room for anything real and still fails fast.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.3g} KB"


def read_bytes_limited(path: str | Path, error: type[DataFileError] = DataFileError, *,
                       limit: int = MAX_INPUT_BYTES, what: str = "file") -> bytes:
    """Read a whole input file, at most ``limit`` bytes.

    Args:
        path: the file (a regular file, or a pipe such as ``<(cat x.csv)``).
        error: the error type to raise (each caller names its own kind of file).
        limit: the largest size accepted, in bytes.
        what: what the file should be, for messages ("CSV file", "TOML file").

    Returns:
        The file's bytes.

    Raises:
        DataFileError: of type ``error``, naming the file: missing, a directory, unreadable,
            or larger than ``limit``.
    """
    label = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise error(label, [Problem("file not found")]) from None
    except IsADirectoryError:
        raise error(label, [Problem(f"is a directory, not a {what}")]) from None
    except OSError as exc:
        raise error(label, [Problem(f"cannot read file: {exc.strerror or exc}")]) from None
    if len(data) > limit:
        raise error(label, [Problem(f"file is larger than {_size(limit)}, the limit for a "
                                    f"{what}; is it the right file?")])
    return data


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output_path(path: str | Path, error: type[DataFileError] = DataFileError, *,
                      inputs: Iterable[str | Path | None] = (), replace_ok: bool = True
                      ) -> Path:
    """Refuse an output path that writing would damage; call it before any long work.

    The policy: the directory must exist and be writable; an existing target must be a
    regular, writable file (not a symlink, device, FIFO, socket or directory, not read-only)
    and must not be one of ``inputs`` (the files the same command reads).

    Args:
        path: the file to be written.
        error: the error type to raise.
        inputs: the command's input files (None entries are ignored).
        replace_ok: False when the caller itself reads and rewrites ``path`` (a table
            appended to): then ``inputs`` is not checked against it.

    Returns:
        The path.

    Raises:
        DataFileError: of type ``error``, naming the file and the rule it breaks.
    """
    target = Path(path)
    label = str(target)
    if not str(path).strip():
        raise error(label or "output", [Problem("the output file name is empty")])
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise error(label, [Problem(f"directory '{directory}' does not exist")])
    if not os.access(directory, os.W_OK | os.X_OK):
        raise error(label, [Problem(f"directory '{directory}' is not writable")])
    try:
        st = target.lstat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise error(label, [Problem(f"cannot check the file: {exc.strerror or exc}")]) from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise error(label, [Problem("is a symbolic link; write to the file it points to "
                                        "by its own name, or choose a new file")])
        if stat.S_ISDIR(st.st_mode):
            raise error(label, [Problem("is a directory, not a file")])
        if not stat.S_ISREG(st.st_mode):
            raise error(label, [Problem("is not a regular file (a device, pipe or socket); "
                                        "choose a regular file")])
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise error(label, [Problem("is read-only; not replaced")])
        if replace_ok:
            for source in inputs:
                if source is not None and _same_file(target, Path(source)):
                    raise error(label, [Problem(
                        f"is also an input of this command ({source}); write to another "
                        "file")])
    return target


def write_text_atomic(path: str | Path, text: str,
                      error: type[DataFileError] = DataFileError) -> Path:
    """Write UTF-8 text to ``path`` in one step: a temp file beside it, then ``os.replace``.

    Either the whole new text is in place or the old file (if any) is untouched; no temp
    file is left behind. An existing file keeps its permissions (new files get 0644). The
    path must pass :func:`check_output_path`.

    Args:
        path: the file to write; its directory must exist.
        text: the content (written as is: no newline translation).
        error: the error type to raise (each caller names its own kind of file).

    Returns:
        The path written.

    Raises:
        DataFileError: of type ``error``, naming the file, when the path breaks the output
            policy (missing directory, symlink, device, directory, read-only) or writing
            fails.
    """
    target = check_output_path(path, error)
    directory = target.parent if str(target.parent) else Path(".")
    tmp_name: str | None = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=directory,
                                         prefix=f".{target.name}.", suffix=".tmp",
                                         delete=False) as fh:
            tmp_name = fh.name
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise error(str(target), [Problem(f"cannot write file: {exc.strerror or exc}")]) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return target


@contextlib.contextmanager
def locked(path: str | Path, error: type[DataFileError] = DataFileError) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` (other processes wait).

    The lock is ``fcntl.flock`` on a sidecar file ``.<name>.lock`` beside ``path`` (the
    target itself is replaced by rename, so it cannot carry the lock). The sidecar stays.
    Where ``fcntl`` is missing (Windows) the block runs unlocked.

    Args:
        path: the file about to be read and rewritten.
        error: the error type to raise.

    Raises:
        DataFileError: of type ``error`` when the lock file cannot be created.
    """
    target = Path(path)
    lock_path = target.with_name(f".{target.name}.lock")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise error(str(target), [Problem(
            f"cannot create the lock file {lock_path}: {exc.strerror or exc}")]) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
