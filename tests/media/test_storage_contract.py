"""The media storage contract, run against every backend (the filesystem today; an
S3-compatible backend joins STORAGE_BACKENDS when it exists, and must pass unchanged)."""

from __future__ import annotations

import hashlib
import threading

import pytest

from media_store.storage import FileSystemStorage, MissingBlob, Storage, open_storage

STORAGE_BACKENDS = ("filesystem",)
PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, bytes are bytes" * 100


@pytest.fixture(params=STORAGE_BACKENDS)
def storage(request, tmp_path) -> Storage:
    if request.param == "filesystem":
        return FileSystemStorage(tmp_path / "media")
    raise AssertionError(request.param)


def test_originals_are_keyed_by_content_and_stored_once(storage):
    key = storage.put_original(PHOTO)
    assert key == hashlib.sha256(PHOTO).hexdigest()
    assert storage.put_original(PHOTO) == key
    assert storage.has_original(key)
    assert storage.get_original(key) == PHOTO


def test_a_missing_original_is_missing_blob(storage):
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not storage.has_original(absent)
    with pytest.raises(MissingBlob):
        storage.get_original(absent)
    assert storage.get_derivative(absent, "thumb.webp") is None


def test_derivatives_live_beside_their_original_and_can_be_replaced(storage):
    key = storage.put_original(PHOTO)
    assert storage.get_derivative(key, "thumb.webp") is None
    storage.put_derivative(key, "thumb.webp", b"small")
    storage.put_derivative(key, "full-max-0-default.jpg", b"iiif")
    assert storage.get_derivative(key, "thumb.webp") == b"small"
    storage.put_derivative(key, "thumb.webp", b"smaller")
    assert storage.get_derivative(key, "thumb.webp") == b"smaller"
    assert storage.get_derivative(key, "full-max-0-default.jpg") == b"iiif"


def test_delete_removes_the_original_and_every_derivative_only(storage):
    key = storage.put_original(PHOTO)
    other = storage.put_original(PHOTO + b"!")
    storage.put_derivative(key, "thumb.webp", b"small")
    storage.put_derivative(other, "thumb.webp", b"other")
    storage.delete(key)
    assert not storage.has_original(key)
    assert storage.get_derivative(key, "thumb.webp") is None
    assert storage.get_original(other) == PHOTO + b"!"
    assert storage.get_derivative(other, "thumb.webp") == b"other"
    storage.delete(key)  # deleting twice is harmless


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "", "0" * 63, "0" * 64 + "/x"])
def test_keys_that_are_not_digests_are_refused(storage, key):
    with pytest.raises(ValueError):
        storage.get_original(key)
    with pytest.raises(ValueError):
        storage.put_derivative(key, "thumb.webp", b"x")


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "Thumb.WEBP", ".hidden", "a/b", ""])
def test_derivative_names_that_could_escape_are_refused(storage, name):
    key = storage.put_original(PHOTO)
    with pytest.raises(ValueError):
        storage.put_derivative(key, name, b"x")
    with pytest.raises(ValueError):
        storage.get_derivative(key, name)


def test_concurrent_writers_of_the_same_bytes_leave_one_complete_original(storage):
    big = PHOTO * 2000  # ~100 KB
    errors = []

    def write():
        try:
            storage.put_original(big)
        except Exception as exc:  # recorded, then asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert storage.get_original(hashlib.sha256(big).hexdigest()) == big


def test_filesystem_writes_leave_no_partial_files(tmp_path):
    storage = FileSystemStorage(tmp_path)
    key = storage.put_original(PHOTO)
    storage.put_derivative(key, "thumb.webp", b"small")
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".partial-")]
    assert leftovers == []


def test_open_storage_names_the_backend(tmp_path):
    assert isinstance(open_storage(str(tmp_path)), FileSystemStorage)
    assert isinstance(open_storage(f"file://{tmp_path}"), FileSystemStorage)
    with pytest.raises(ValueError, match="S3"):
        open_storage("s3://bucket/media")
