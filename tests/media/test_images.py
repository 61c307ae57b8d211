"""Safe processing of untrusted image bytes, on real photos and generated bad files."""

import io

import pytest
from PIL import Image

from media_store.exif import read_facts
from media_store.images import (
    SIZES,
    ImageRejected,
    derivative,
    derivatives,
    dhash,
    encode,
    hamming,
    inspect,
    open_upright,
    shrink,
)
from media_store.storage import FileSystemStorage, sha256
from tests.media.helpers import SVG_WITH_SCRIPT, generated_jpeg, photo, png_bomb

LIMITS = {"max_bytes": 20_000_000, "max_pixels": 60_000_000}


def test_real_format_comes_from_the_bytes():
    assert inspect(photo("DSCN0010.jpg"), **LIMITS).mime == "image/jpeg"
    assert inspect(photo("iiif-validator.png"), **LIMITS).format == "PNG"
    heic = inspect(photo("iphone_13_pro_max.HEIC"), **LIMITS)
    assert (heic.format, heic.width, heic.height) == ("HEIF", 3024, 4032)


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (b"This is a text file renamed to photo.jpg\n", 415, "not an image"),
        (SVG_WITH_SCRIPT, 415, "SVG"),
        (b"", 422, "empty"),
        (png_bomb(), 422, "megapixels"),
        (photo("DSCN0010.jpg")[:60_000], 422, "truncated"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, 415, "not an image"),
        (b"GIF89a" + b"\x00" * 100, 415, "not"),
    ],
    ids=[
        "text-as-jpg",
        "svg-script",
        "zero-bytes",
        "png-bomb",
        "truncated-jpeg",
        "broken-header",
        "gif",
    ],
)
def test_bad_images_are_refused_with_a_reason(data, status, says):
    with pytest.raises(ImageRejected) as err:
        inspect(data, **LIMITS)
    assert err.value.status == status
    assert says.lower() in err.value.message.lower()


def test_too_many_bytes():
    with pytest.raises(ImageRejected) as err:
        inspect(photo("DSCN0010.jpg"), max_bytes=1000, max_pixels=10**9)
    assert err.value.status == 413


def test_orientation_6_derivative_comes_out_upright_without_metadata():
    original = photo("portrait_6.jpg")
    assert Image.open(io.BytesIO(original)).size == (600, 450)  # stored sideways
    for fmt in ("webp", "jpg"):
        out = Image.open(io.BytesIO(derivative(original, "thumb", fmt)))
        assert out.size == (240, 320)  # upright: taller than wide
        assert len(out.getexif()) == 0


def test_copies_encoded_side_by_side_are_the_ones_made_one_at_a_time():
    # The six encodes share a thread pool; each must keep its own format, quality and size.
    for original in (generated_jpeg(3000, 2000), photo("portrait_6.jpg")):
        image = inspect(original, **LIMITS).image
        made = derivatives(image)
        assert sorted(made) == sorted(f"{s}.{f}" for s in SIZES for f in ("webp", "jpg"))
        # One at a time, each size from the next larger one, as derivatives() makes them.
        shrunk, one_by_one = image, {}
        for size in ("large", "medium", "thumb"):
            shrunk = shrink(shrunk, SIZES[size])
            one_by_one.update({f"{size}.{f}": encode(shrunk, f, size) for f in ("webp", "jpg")})
        for name, blob in made.items():
            size, fmt = name.split(".")
            assert blob == one_by_one[name], name
            out = Image.open(io.BytesIO(blob))
            assert out.format == {"webp": "WEBP", "jpg": "JPEG"}[fmt]
            assert max(out.size) == min(SIZES[size], max(image.size))


@pytest.mark.parametrize(("width", "height"), [(3000, 2000), (2000, 3000), (5000, 600)])
def test_decoding_for_a_copy_scales_by_the_long_side(width, height):
    # The JPEG decoder scales by 1/2, 1/4 or 1/8: as far as it can while the long side
    # still holds the copy's size, whatever the proportions.
    image = open_upright(generated_jpeg(width, height), longest=320)
    assert 320 <= max(image.size) < 640
    assert image.size[0] / image.size[1] == pytest.approx(width / height, rel=0.02)


def test_derivatives_of_gps_photos_carry_no_gps_or_camera():
    original = photo("DSCN0010.jpg")
    facts = read_facts(original)
    assert facts.lat == pytest.approx(43.4674, abs=1e-3) and facts.lon == pytest.approx(
        11.8851, abs=1e-3
    )
    assert facts.camera == "NIKON COOLPIX P6000" and facts.taken_at == "2008-10-22T16:28:39"
    for size in ("thumb", "medium", "large"):
        for fmt in ("webp", "jpg"):
            blob = derivative(original, size, fmt)
            image = Image.open(io.BytesIO(blob))
            assert len(image.getexif()) == 0
            assert b"Exif" not in blob[:4096] and b"COOLPIX" not in blob and b"NIKON" not in blob


def test_empty_gps_ifd_and_no_exif():
    assert read_facts(photo("45-gps_ifd.jpg")).lat is None
    assert read_facts(photo("iiif-validator.png")).tags == {}


def test_perceptual_hash_finds_near_duplicates():
    original = photo("DSCN0010.jpg")
    smaller = derivative(original, "thumb", "jpg")
    assert hamming(dhash(original), dhash(smaller)) <= 6
    assert hamming(dhash(original), dhash(generated_jpeg())) > 6


def test_storage_is_content_addressed_and_atomic(tmp_path):
    storage = FileSystemStorage(tmp_path)
    data = photo("DSCN0010.jpg")
    key = storage.put_original(data)
    assert key == sha256(data) and storage.put_original(data) == key
    originals = [p for p in (tmp_path / "originals").rglob("*") if p.is_file()]
    assert len(originals) == 1 and originals[0].name == key
    storage.put_derivative(key, "thumb.webp", b"x")
    assert storage.get_derivative(key, "thumb.webp") == b"x"
    assert not list(tmp_path.rglob(".partial-*"))
    with pytest.raises(ValueError):
        storage.get_original("../../etc/passwd")
    with pytest.raises(ValueError):
        storage.put_derivative(key, "../escape", b"x")
    storage.delete(key)
    assert not storage.has_original(key) and storage.get_derivative(key, "thumb.webp") is None
