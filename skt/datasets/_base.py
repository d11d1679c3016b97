"""Where the files of the real benchmarks live, and how they are fetched and checked.

A data home is a folder that holds each data set's files under a fixed relative path (for example
``office_caltech10_surf/amazon_SURF_L10.mat``). It is, in order of precedence, the ``data_home``
argument of a loader, the environment variable ``SKT_DATA_HOME``, or a per-user cache directory.
A file found there is checked against its size and sha256 before it is read. A missing file is
downloaded from its public source (or from the mirror named by ``SKT_DATA_MIRROR``) into a
temporary file beside its final place, checked, and only then moved into place with
:func:`os.replace`, so an interrupted or corrupt download never leaves a half-written file.

A data home may be shared between users (``/srv/skt-data``): downloaded files get the
permissions of the user's umask, like any file they create. A partial file left by a killed
download (``.<name>.<pid>@<host>.<token>.part``) is removed by the next download of that file
once its process is gone (or after a day, for one from another host).
"""

import hashlib
import http.client
import os
import re
import secrets
import shutil
import socket
import sys
import time
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
# a partial file of another host cannot be told dead by its pid: removed after this long
_STALE_PART_SECONDS = 24 * 3600

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


def _not_a_file(path, remote, home, origin):
    return OSError(
        f"{path} is a directory (or another non-regular file) where the data file "
        f"'{remote.name}' belongs. Remove or rename it so that the loader can download the "
        f"file there.\n{_how_to_fix(remote, home, origin)}"
    )


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
        raise _corrupt(path, problem, remote, home, origin)
    if path.exists():
        raise _not_a_file(path, remote, home, origin)
    if not download_if_missing:
        raise FileNotFoundError(
            f"Data file '{remote.name}' not found and download_if_missing=False.\n"
            f"{_how_to_fix(remote, home, origin)}"
        )
    return _download(remote, path, home, origin, fetcher or _urlopen_fetcher)


def _corrupt(path, problem, remote, home, origin):
    return OSError(
        f"The file {path} {problem}. Delete it so that the loader downloads it again, or "
        f"replace it with the original file.\n{_how_to_fix(remote, home, origin)}"
    )


def read_file(remote, *, data_home=None, download_if_missing=True, fetcher=None):
    """``(path, content)``: the bytes of ``remote``, checked as they are read.

    Unlike a check of the file followed by a read of its path (which another process may
    replace in between), the size and sha256 are those of the very bytes returned. Parameters
    and errors as :func:`fetch_file`, which downloads the file when it is missing.
    """
    home, origin = _resolve_data_home(data_home)
    path = home / remote.path
    if not path.is_file():
        fetch_file(remote, data_home=home, download_if_missing=download_if_missing,
                   fetcher=fetcher)
    try:
        content = path.read_bytes()
    except IsADirectoryError:
        raise _not_a_file(path, remote, home, origin) from None
    problem = _integrity_problem(len(content), hashlib.sha256(content).hexdigest(), remote)
    if problem is not None:
        raise _corrupt(path, problem, remote, home, origin)
    return path, content


def _part_pattern(path):
    return re.compile(re.escape(f".{path.name}.") + r"(?:(\d+)@(.+)\.)?\w+\.part")


def _create_part(path):
    """Open a new, unique partial file beside ``path``: ``(fd, name)``.

    Created with mode 0o666 so that the umask decides the permissions (``tempfile.mkstemp``
    would give 0o600, which ``os.replace`` keeps: other users of a shared data home could not
    read the file). The name carries the pid and host, so that a later download can tell a
    partial file of a killed process.
    """
    owner = f"{os.getpid()}@{socket.gethostname()}"
    name = path.parent / f".{path.name}.{owner}.{secrets.token_hex(4)}.part"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(name, flags, 0o666), str(name)


def _process_is_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):  # alive under another user, or unknowable
        return False
    return False


def _remove_stale_parts(path):
    """Remove partial files of ``path`` left by downloads that were killed."""
    pattern = _part_pattern(path)
    host = socket.gethostname()
    now = time.time()
    try:
        candidates = list(path.parent.iterdir())
    except OSError:
        return
    for part in candidates:
        match = pattern.fullmatch(part.name)
        if match is None:
            continue
        pid, part_host = match.group(1), match.group(2)
        orphan = part_host == host and int(pid) != os.getpid() and _process_is_gone(int(pid))
        try:
            if orphan or now - part.stat().st_mtime > _STALE_PART_SECONDS:
                part.unlink()
        except OSError:  # removed meanwhile, or not ours to remove
            pass


def _download(remote, path, home, origin, fetcher):
    failures = []
    for url in _urls(remote):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_parts(path)
            # the partial download lives beside its final place, so os.replace is atomic
            fd, tmp_name = _create_part(path)
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


class _CappedFile:
    """A binary file that refuses more than ``limit`` bytes: a mirror that streams more than
    the expected size is cut at once rather than after it filled the disk."""

    def __init__(self, file, limit):
        self._file = file
        self._limit = limit
        self._written = 0

    def write(self, data):
        self._written += len(data)
        if self._written > self._limit:
            raise OSError(
                f"the source sends more than the expected {self._limit} bytes; stopped there"
            )
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


def _download_one(url, remote, path, fetcher, fd, tmp_name):
    """Download ``url`` into the open temporary file, then move it to ``path`` if it checks.

    Returns None on success, else a sentence saying what went wrong.
    """
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            try:
                fetcher(url, _CappedFile(file, remote.size))
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
