"""Where the files of the real benchmarks live, and how they are fetched and checked.

A data home is a folder that holds each data set's files under a fixed relative path (for example
``office_caltech10_surf/amazon_SURF_L10.mat``). It is, in order of precedence, the ``data_home``
argument of a loader, the environment variable ``SKT_DATA_HOME``, or a per-user cache directory.
A file found there is checked against its size and sha256 before it is read. A missing file is
downloaded from its public source (or from the mirror named by ``SKT_DATA_MIRROR``) into a
temporary file beside its final place, checked, and only then moved into place with
:func:`os.replace`, so an interrupted or corrupt download never leaves a half-written file.
"""

import hashlib
import http.client
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

__all__ = ["get_data_home"]

#: Environment variable naming the data home.
DATA_HOME_ENV = "SKT_DATA_HOME"

#: Environment variable naming a mirror (base URL) used instead of the public sources.
MIRROR_ENV = "SKT_DATA_MIRROR"

_DOWNLOAD_TIMEOUT = 60  # seconds without data before a download is abandoned
_CHUNK = 1 << 20

# files already checked in this process: (resolved path, size, mtime_ns) -> their sha256
_VERIFIED = {}


@dataclass(frozen=True)
class RemoteFile:
    """A data file: where it goes in the data home, its public sources and its checksum.

    Attributes
    ----------
    path : str
        Path relative to the data home, with ``/`` separators.
    size : int
        Size in bytes.
    sha256 : str
        Hex digest of the file's content.
    urls : tuple of str
        Public sources, tried in order.
    """

    path: str
    size: int
    sha256: str
    urls: tuple

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]


def _default_cache_dir():
    """The per-user cache directory of the platform, without third-party helpers."""
    home = Path.home()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "skt" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "skt"
    base = os.environ.get("XDG_CACHE_HOME") or str(home / ".cache")
    return Path(base) / "skt"


def _resolve_data_home(data_home=None):
    """The data home and a phrase saying where it came from (for error messages)."""
    if data_home is not None:
        if not isinstance(data_home, (str, os.PathLike)):
            raise TypeError(
                f"data_home must be a path (str or os.PathLike) or None; got "
                f"{type(data_home).__name__}."
            )
        return Path(data_home).expanduser(), "the data_home argument"
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        return Path(env).expanduser(), f"the environment variable {DATA_HOME_ENV}"
    return _default_cache_dir(), "the default user cache directory"


def get_data_home(data_home=None):
    """The folder where skt looks for (and downloads) the files of the real benchmarks.

    In order of precedence: ``data_home`` when given, the environment variable
    ``SKT_DATA_HOME`` when set, else a per-user cache directory (``$XDG_CACHE_HOME/skt`` or
    ``~/.cache/skt`` on Linux, ``~/Library/Caches/skt`` on macOS, ``%LOCALAPPDATA%\\skt\\Cache``
    on Windows). ``~`` is expanded. The folder is not created: loaders create it when they
    download a file into it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        An explicit data home.

    Returns
    -------
    data_home : str
        The absolute path of the data home.

    See Also
    --------
    list_datasets : the data sets and the status of their files in the data home.

    Examples
    --------
    >>> from skt.datasets import get_data_home
    >>> get_data_home("/srv/skt-data")
    '/srv/skt-data'
    """
    return os.path.abspath(_resolve_data_home(data_home)[0])


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _how_to_fix(remote, home, origin):
    sources = "\n".join(f"    {url}" for url in _urls(remote))
    return (
        f"The loader looked for {home / remote.path} (data home from {origin}).\n"
        f"To fix it: set {DATA_HOME_ENV} to (or pass data_home=) a folder that holds "
        f"'{remote.path}', or let the loader download it (download_if_missing=True; "
        f"{MIRROR_ENV} may name a mirror) from:\n{sources}"
    )


def _integrity_problem(size, sha256, remote):
    """A sentence saying what is wrong with a file of this size and digest, or None."""
    if size < remote.size:
        return f"is truncated: {size} bytes of the expected {remote.size}"
    if sha256 != remote.sha256:
        return f"fails its checksum: sha256 {sha256}, expected {remote.sha256}"
    return None


def file_status(remote, data_home=None):
    """``"ok"``, ``"missing"`` or a sentence saying why the file in the data home is unusable."""
    home, _ = _resolve_data_home(data_home)
    path = home / remote.path
    if not path.is_file():
        return "missing"
    problem = _check_local(path, remote)
    return "ok" if problem is None else f"corrupt: {problem}"


def _check_local(path, remote):
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) == remote.sha256:
        return None
    if stat.st_size < remote.size:
        return _integrity_problem(stat.st_size, None, remote)
    problem = _integrity_problem(stat.st_size, _sha256(path), remote)
    if problem is None:
        _VERIFIED[key] = remote.sha256
    return problem


def _urls(remote):
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return (mirror.rstrip("/") + "/" + remote.path,)
    return remote.urls


def _urlopen_fetcher(url, file):
    """Copy the content at ``url`` (http(s) or file) into the binary ``file``."""
    with urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
        shutil.copyfileobj(response, file, _CHUNK)


def fetch_file(remote, *, data_home=None, download_if_missing=True, fetcher=None):
    """The local path of ``remote``, downloaded into the data home if missing, and checked.

    Parameters
    ----------
    remote : RemoteFile
        The file to provide.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    download_if_missing : bool, default=True
        Download the file when it is not in the data home; if False, a missing file is an
        error.
    fetcher : callable, default=None
        ``fetcher(url, file)`` writes the content at ``url`` into the open binary ``file``
        and raises ``OSError`` when it cannot. None uses :func:`urllib.request.urlopen`.

    Returns
    -------
    path : pathlib.Path
        The verified file.

    Raises
    ------
    FileNotFoundError
        The file is missing and ``download_if_missing`` is False.
    OSError
        The local file is truncated or fails its checksum, or every download failed (no
        network, a wrong mirror, or content that fails the checksum). Each message says where
        the loader looked and how to fix it.
    """
    home, origin = _resolve_data_home(data_home)
    path = home / remote.path
    if path.is_file():
        problem = _check_local(path, remote)
        if problem is None:
            return path
        raise OSError(
            f"The file {path} {problem}. Delete it so that the loader downloads it again, or "
            f"replace it with the original file.\n{_how_to_fix(remote, home, origin)}"
        )
    if not download_if_missing:
        raise FileNotFoundError(
            f"Data file '{remote.name}' not found and download_if_missing=False.\n"
            f"{_how_to_fix(remote, home, origin)}"
        )
    return _download(remote, path, home, origin, fetcher or _urlopen_fetcher)


def _download(remote, path, home, origin, fetcher):
    failures = []
    for url in _urls(remote):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # the partial download lives beside its final place, so os.replace is atomic
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part", dir=path.parent
            )
        except OSError as exc:
            raise OSError(
                f"Cannot write into the folder {path.parent} to download '{remote.name}': "
                f"{exc}.\n{_how_to_fix(remote, home, origin)}"
            ) from exc
        problem = _download_one(url, remote, path, fetcher, fd, tmp_name)
        if problem is None:
            return path
        failures.append(f"  {url}: {problem}")
    raise OSError(
        f"Could not download '{remote.name}'; nothing was written to {path}.\n"
        + "\n".join(failures)
        + f"\n{_how_to_fix(remote, home, origin)}"
    )


def _download_one(url, remote, path, fetcher, fd, tmp_name):
    """Download ``url`` into the open temporary file, then move it to ``path`` if it checks.

    Returns None on success, else a sentence saying what went wrong.
    """
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            try:
                fetcher(url, file)
            # URLError, HTTPError, timeouts, refused connections, a cut transfer
            # (IncompleteRead) and a malformed mirror URL (ValueError from urlopen)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                return f"download failed ({type(exc).__name__}: {exc})"
        problem = _integrity_problem(tmp.stat().st_size, _sha256(tmp), remote)
        if problem is not None:
            return f"the downloaded file {problem}"
        os.replace(tmp, path)
        return None
    finally:
        # on any failure, including an interrupt, the partial file goes
        tmp.unlink(missing_ok=True)
