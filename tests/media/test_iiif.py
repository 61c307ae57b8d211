"""IIIF Image API request parsing and its bounds."""

import pytest

from media_store.iiif import IIIFError, Limits, info, parse

LIMITS = Limits(max_width=4096, max_height=4096, max_area=16_000_000)
W, H = 4000, 3000


def p(region="full", size="max", rotation="0", qf="default.jpg"):
    return parse(region, size, rotation, qf, W, H, LIMITS)


def test_regions():
    assert p().region == (0, 0, W, H)
    assert p("square").region == (500, 0, 3000, 3000)
    assert p("100,200,300,400").region == (100, 200, 300, 400)
    assert p("pct:50,50,50,50").region == (2000, 1500, 2000, 1500)
    assert p("3900,2900,500,500").region == (3900, 2900, 100, 100)  # cut to the image
    assert p("0,0,100000,100000").region == (0, 0, W, H)


def test_sizes():
    assert p(size="max").size == (W, H)
    assert p(size="400,").size == (400, 300)
    assert p(size=",300").size == (400, 300)
    assert p(size="!400,400").size == (400, 300)
    # A box larger than the image is the best fit without upscaling: the full image.
    assert p(size="!8000,8000").size == (W, H)
    assert p("0,0,100,100", "^!400,200").size == (200, 200)
    assert p(size="pct:10").size == (400, 300)
    assert p("0,0,100,100", "^200,200").size == (200, 200)


def test_max_is_bounded_by_the_server_limits():
    big = parse("full", "max", "0", "default.jpg", 20_000, 10_000, LIMITS)
    w, h = big.size
    assert w <= 4096 and h <= 4096 and w * h <= 16_000_000
    assert abs(w / h - 2) < 0.01


@pytest.mark.parametrize(
    ("region", "size", "rotation", "qf"),
    [
        ("full", "99999,", "0", "default.jpg"),
        ("0,0,100,100", "200,200", "0", "default.jpg"),  # upscaling without ^
        ("full", "5000,5000", "0", "default.jpg"),
        ("5000,0,10,10", "max", "0", "default.jpg"),  # outside the image
        ("0,0,0,10", "max", "0", "default.jpg"),
        ("full", "max", "45", "default.jpg"),
        ("full", "max", "0", "sepia.jpg"),
        ("full", "max", "0", "default.gif"),
        ("../../etc", "max", "0", "default.jpg"),
        ("full", "pct:0", "0", "default.jpg"),
    ],
)
def test_bad_requests_are_400(region, size, rotation, qf):
    with pytest.raises(IIIFError) as err:
        parse(region, size, rotation, qf, W, H, LIMITS)
    assert err.value.status == 400


def test_info_document():
    doc = info(
        "https://example.org/iiif/3/abc",
        W,
        H,
        LIMITS,
        "http://creativecommons.org/licenses/by-sa/4.0/",
    )
    assert doc["@context"] == "http://iiif.io/api/image/3/context.json"
    assert doc["type"] == "ImageService3" and doc["protocol"] == "http://iiif.io/api/image"
    assert doc["profile"] == "level2" and (doc["width"], doc["height"]) == (W, H)
    assert doc["maxArea"] == 16_000_000 and doc["tiles"][0]["width"] == 512
    assert doc["rights"].startswith("http://creativecommons.org/")


def test_only_pyramid_tiles_and_listed_sizes_are_kept():
    from media_store.iiif import TILE, cacheable, listed_sizes, scale_factors

    width, height, limits = 3000, 2000, Limits()
    tiles = 0
    for factor in scale_factors(width, height):
        span = TILE * factor
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                size = f"{-(-w // factor)},{-(-h // factor)}"
                for fmt in ("default.jpg", "default.webp", "color.jpg"):
                    request = parse(f"{x},{y},{w},{h}", size, "0", fmt, width, height, limits)
                    assert cacheable(request, width, height, limits), (x, y, factor)
                tiles += 1
    assert tiles == 6 * 4 + 3 * 2 + 2 * 1 + 1  # at 1x, 2x, 4x, 8x: bounded by the image
    for w, h in listed_sizes(width, height, limits):
        assert cacheable(
            parse("full", f"{w},{h}", "0", "default.jpg", width, height, limits),
            width,
            height,
            limits,
        )
    for region, size, rotation, fmt in [
        ("1,2,300,300", "150,", "0", "default.jpg"),  # not on the tile grid
        ("0,0,512,512", "100,", "0", "default.jpg"),  # on the grid, at no pyramid scale
        ("0,0,512,512", "512,", "90", "default.jpg"),  # rotated
        ("0,0,512,512", "512,", "0", "gray.jpg"),
        ("0,0,512,512", "512,", "0", "default.png"),
        ("full", "777,", "0", "default.jpg"),
        ("pct:10,10,20,20", "max", "0", "default.jpg"),
    ]:
        request = parse(region, size, rotation, fmt, width, height, limits)
        assert not cacheable(request, width, height, limits), (region, size, rotation, fmt)
