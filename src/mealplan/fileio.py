"""Writing files so that no user data is lost: a temp file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import DataFileError, Problem

__all__ = ["write_text_atomic"]


def write_text_atomic(path: str | Path, text: str,
                      error: type[DataFileError] = DataFileError) -> Path:
    """Write UTF-8 text to ``path`` in one step: a temp file beside it, then ``os.replace``.

    Either the whole new text is in place or the old file (if any) is untouched; no temp
    file is left behind. An existing file keeps its permissions (new files get 0644).

    Args:
        path: the file to write; its directory must exist.
        text: the content (written as is: no newline translation).
        error: the error type to raise (each caller names its own kind of file).

    Returns:
        The path written.

    Raises:
        DataFileError: of type ``error``, naming the file, when the directory is missing,
            the path is a directory, or writing fails.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise error(str(target), [Problem(f"directory '{directory}' does not exist")])
    if target.is_dir():
        raise error(str(target), [Problem("is a directory, not a file")])
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
