"""Data home resolution, and the checked, atomic download of data files (never the network)."""

import hashlib
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError

import pytest

from skt.datasets import _base, get_data_home
from skt.datasets._base import RemoteFile, fetch_file, file_status, read_file

CONTENT = b"skt test payload\n" * 64


def _remote(content=CONTENT, urls=("https://example.invalid/a/payload.bin",)):
    return RemoteFile(
        path="sub/payload.bin",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        urls=urls,
    )


def _writer(content, calls=None):
    def fetcher(url, file):
        if calls is not None:
            calls.append(url)
        file.write(content)

    return fetcher


def _leftovers(folder):
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file())


# -- data home --------------------------------------------------------------------------------


def test_data_home_argument_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKT_DATA_HOME", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home() == str(tmp_path / "env")


def test_data_home_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    assert get_data_home("~/skt-data") == str(tmp_path / "skt-data")


def test_default_data_home_is_a_user_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("SKT_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_base.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert get_data_home() == str(tmp_path / "xdg" / "skt")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert get_data_home() == str(tmp_path / ".cache" / "skt")
    monkeypatch.setattr(_base.sys, "platform", "darwin")
    assert get_data_home() == str(tmp_path / "Library" / "Caches" / "skt")
    monkeypatch.setattr(_base.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert get_data_home() == str(tmp_path / "local" / "skt" / "Cache")


def test_data_home_is_not_created(tmp_path):
    get_data_home(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()


def test_data_home_of_wrong_type_is_rejected():
    with pytest.raises(TypeError, match="data_home must be a path .* got int"):
        get_data_home(3)


# -- files already present --------------------------------------------------------------------


def _place(home, remote, content):
    path = Path(home) / remote.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_present_file_is_checked_and_not_downloaded(tmp_path):
    remote = _remote()
    path = _place(tmp_path, remote, CONTENT)

    def refuse(url, file):
        raise AssertionError("a present, valid file must not be downloaded")

    assert fetch_file(remote, data_home=tmp_path, fetcher=refuse) == path
    assert file_status(remote, tmp_path) == "ok"


def test_truncated_local_file_is_an_error_that_says_what_to_do(tmp_path):
    remote = _remote()
    path = _place(tmp_path, remote, CONTENT[:100])
    with pytest.raises(OSError, match="is truncated: 100 bytes of the expected") as info:
        fetch_file(remote, data_home=tmp_path)
    message = str(info.value)
    assert str(path) in message and "SKT_DATA_HOME" in message and "data_home=" in message
    assert "Delete it" in message
    assert file_status(remote, tmp_path).startswith("corrupt: is truncated")


def test_corrupt_local_file_fails_its_checksum(tmp_path):
    remote = _remote()
    _place(tmp_path, remote, CONTENT[:-1] + b"?")
    with pytest.raises(OSError, match="fails its checksum: sha256 [0-9a-f]{64}, expected "):
        fetch_file(remote, data_home=tmp_path)


def test_a_file_changed_after_a_successful_check_is_checked_again(tmp_path):
    remote = _remote()
    path = _place(tmp_path, remote, CONTENT)
    fetch_file(remote, data_home=tmp_path)
    path.write_bytes(CONTENT[:-1] + b"?")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(OSError, match="fails its checksum"):
        fetch_file(remote, data_home=tmp_path)


# -- missing files ----------------------------------------------------------------------------


def test_missing_file_without_download_says_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("SKT_DATA_HOME", str(tmp_path))
    remote = _remote()
    with pytest.raises(FileNotFoundError, match="not found and download_if_missing=False") as info:
        fetch_file(remote, download_if_missing=False)
    message = str(info.value)
    assert str(tmp_path / "sub" / "payload.bin") in message
    assert "the environment variable SKT_DATA_HOME" in message
    assert "data_home=" in message and remote.urls[0] in message
    assert file_status(remote) == "missing"


def test_download_writes_the_checked_file_and_nothing_else(tmp_path):
    calls = []
    path = fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT, calls))
    assert path == tmp_path / "sub" / "payload.bin"
    assert path.read_bytes() == CONTENT
    assert calls == ["https://example.invalid/a/payload.bin"]
    assert _leftovers(tmp_path) == ["payload.bin"]


def test_download_from_a_file_url_with_the_default_fetcher(monkeypatch, tmp_path):
    mirror = tmp_path / "mirror"
    _place(mirror, _remote(), CONTENT)
    monkeypatch.setenv("SKT_DATA_MIRROR", mirror.as_uri())
    path = fetch_file(_remote(), data_home=tmp_path / "home")
    assert path.read_bytes() == CONTENT


def test_mirror_replaces_the_public_sources(monkeypatch, tmp_path):
    monkeypatch.setenv("SKT_DATA_MIRROR", "https://mirror.invalid/skt/")
    calls = []
    fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT, calls))
    assert calls == ["https://mirror.invalid/skt/sub/payload.bin"]


def test_download_that_fails_its_checksum_leaves_no_file(tmp_path):
    bad = CONTENT[:-1] + b"?"
    with pytest.raises(OSError, match="the downloaded file fails its checksum") as info:
        fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(bad))
    message = str(info.value)
    assert "nothing was written to" in message and "SKT_DATA_HOME" in message
    assert _leftovers(tmp_path) == []


def test_truncated_download_leaves_no_file(tmp_path):
    with pytest.raises(
        OSError, match="the downloaded file is truncated: 10 bytes of the expected"
    ):
        fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT[:10]))
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "error",
    [URLError("[Errno -3] Temporary failure in name resolution"), ConnectionResetError(104)],
    ids=["no-network", "connection-reset"],
)
def test_failed_download_midway_leaves_no_file(tmp_path, error):
    def cut(url, file):
        file.write(CONTENT[:50])
        raise error

    with pytest.raises(OSError, match="Could not download 'payload.bin'") as info:
        fetch_file(_remote(), data_home=tmp_path, fetcher=cut)
    message = str(info.value)
    assert "download failed" in message
    assert f"looked for {tmp_path / 'sub' / 'payload.bin'}" in message
    assert "the data_home argument" in message
    assert _leftovers(tmp_path) == []


def test_interrupted_download_leaves_no_file(tmp_path):
    def interrupted(url, file):
        file.write(CONTENT[:50])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_file(_remote(), data_home=tmp_path, fetcher=interrupted)
    assert _leftovers(tmp_path) == []


def test_next_source_is_tried_when_one_fails(tmp_path):
    urls = ("https://first.invalid/x", "https://second.invalid/x")
    calls = []

    def first_fails(url, file):
        calls.append(url)
        if url == urls[0]:
            raise URLError("HTTP Error 404: Not Found")
        file.write(CONTENT)

    path = fetch_file(_remote(urls=urls), data_home=tmp_path, fetcher=first_fails)
    assert calls == list(urls) and path.read_bytes() == CONTENT


def test_malformed_mirror_url_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("SKT_DATA_MIRROR", "not a url")
    with pytest.raises(OSError, match="download failed \\(ValueError: unknown url type"):
        fetch_file(_remote(), data_home=tmp_path)


def test_unwritable_data_home_is_reported(tmp_path):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the data home should be")
    with pytest.raises(OSError, match="Cannot write into the folder .* to download .payload.bin."):
        fetch_file(_remote(), data_home=blocker, fetcher=_writer(CONTENT))


def test_tests_cannot_reach_the_network(tmp_path):
    # the autouse fixture of conftest.py stands between the default fetcher and the network
    with pytest.raises(AssertionError, match="a test tried to reach the network"):
        fetch_file(_remote(), data_home=tmp_path)
    assert _leftovers(tmp_path) == []


def test_read_only_data_home_is_reported(monkeypatch, tmp_path):
    # root ignores file permissions, so the refusal is simulated where the partial file is made
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_base.os, "open", refuse)
    with pytest.raises(OSError, match="Cannot write into the folder .*Permission denied") as info:
        fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    assert "SKT_DATA_HOME" in str(info.value)


# -- shared data homes, killed downloads, hostile mirrors ---------------------------------------


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX permissions and umask")
@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_downloaded_file_honours_the_umask(tmp_path, umask):
    # mkstemp's 0600 (kept by os.replace) made a shared data home unreadable for other users
    old = os.umask(umask)
    try:
        path = fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def _part(folder, name):
    part = Path(folder) / "sub" / name
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(CONTENT[:10])
    return part


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_partial_files_of_killed_downloads_are_removed(tmp_path):
    host = socket.gethostname()
    killed = _part(tmp_path, f".payload.bin.{_dead_pid()}@{host}.0a1b2c3d.part")
    old_style = _part(tmp_path, ".payload.bin.k2j_x9qz.part")  # tempfile.mkstemp's, a day old
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old_style, (day_ago, day_ago))
    running = _part(tmp_path, f".payload.bin.{os.getppid()}@{host}.0a1b2c3d.part")
    elsewhere = _part(tmp_path, ".payload.bin.1@another-host.0a1b2c3d.part")
    other_file = _part(tmp_path, f".other.bin.{_dead_pid()}@{host}.0a1b2c3d.part")
    fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    assert not killed.exists() and not old_style.exists()
    # a live download, a recent one of another host and another file's are left alone
    assert running.exists() and elsewhere.exists() and other_file.exists()


def test_killed_download_leaves_a_part_file_that_the_next_one_removes(tmp_path):
    script = (
        "import os, signal, sys\n"
        "from skt.datasets._base import RemoteFile, fetch_file\n"
        "def die(url, file):\n"
        "    file.write(b'x' * 10)\n"
        "    file.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        f"remote = RemoteFile('sub/payload.bin', {len(CONTENT)}, 'ab' * 32, ('https://x.invalid',))\n"
        f"fetch_file(remote, data_home={str(tmp_path)!r}, fetcher=die)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert proc.returncode != 0
    parts = [name for name in _leftovers(tmp_path) if name.endswith(".part")]
    assert len(parts) == 1, proc.stderr.decode()[-2000:]
    fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    assert _leftovers(tmp_path) == ["payload.bin"]


def test_download_is_cut_at_the_expected_size(tmp_path):
    written = []

    def endless(url, file):
        while True:
            file.write(b"x" * 1000)
            written.append(1000)
            if sum(written) > 100 * len(CONTENT):
                raise AssertionError("the download was not cut")

    with pytest.raises(OSError, match=f"sends more than the expected {len(CONTENT)} bytes"):
        fetch_file(_remote(), data_home=tmp_path, fetcher=endless)
    assert sum(written) <= len(CONTENT)
    assert _leftovers(tmp_path) == []


def test_directory_at_the_file_path_is_a_clear_error(tmp_path):
    (tmp_path / "sub" / "payload.bin").mkdir(parents=True)
    with pytest.raises(OSError, match=r"payload.bin is a directory .* Remove or rename it"):
        fetch_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    with pytest.raises(OSError, match=r"payload.bin is a directory"):
        read_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    assert "corrupt" not in file_status(_remote(), tmp_path)


def test_read_file_checks_the_bytes_it_returns(tmp_path):
    remote = _remote()
    path = _place(tmp_path, remote, CONTENT)
    assert fetch_file(remote, data_home=tmp_path) == path  # verified and remembered
    # replaced afterwards with the same size and mtime: the remembered check still holds for
    # the path, but the bytes read are checked themselves
    stat_before = path.stat()
    path.write_bytes(CONTENT[:-1] + b"?")
    os.utime(path, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))
    with pytest.raises(OSError, match="fails its checksum"):
        read_file(remote, data_home=tmp_path)
    path.write_bytes(CONTENT)
    assert read_file(remote, data_home=tmp_path) == (path, CONTENT)


def test_read_file_downloads_a_missing_file(tmp_path):
    path, content = read_file(_remote(), data_home=tmp_path, fetcher=_writer(CONTENT))
    assert content == CONTENT and path.read_bytes() == CONTENT
