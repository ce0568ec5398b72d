"""One policy for every progress bar of the package (training, evaluation, calibration, the demo).

A bar is drawn on a terminal (and as a widget in a notebook) and redrawn at most twice a second;
when stderr is not a terminal -- a log file, a pipe, CI -- nothing is drawn at all, so logs hold
results rather than megabytes of carriage-return redraws.
"""
from __future__ import annotations

__all__ = ["progress", "progress_write"]

MIN_INTERVAL_S = 0.5


def progress(iterable=None, *, total=None, desc=None, leave=False, file=None, **kwargs):
    """``tqdm`` over ``iterable`` (or a manual bar with ``total``) under the package's policy:
    ``disable=None`` (off unless ``file``, default stderr, is a terminal) and a redraw interval of
    MIN_INTERVAL_S seconds. Other keyword arguments go to tqdm."""
    from tqdm.auto import tqdm
    kwargs.setdefault("mininterval", MIN_INTERVAL_S)
    kwargs.setdefault("disable", None)
    return tqdm(iterable, total=total, desc=desc, leave=leave, file=file, **kwargs)


def progress_write(message: str) -> None:
    """Print a line without breaking a bar that may be on screen (tqdm.write), to stdout."""
    from tqdm.auto import tqdm
    tqdm.write(message)
