"""Real-shaped records around Huế, used across the tests."""

from __future__ import annotations

import copy

# (slug, vi name, en name, kind, lon, lat)
HUE_SITES = [
    ("dai-noi", "Đại Nội Huế", "Imperial City of Huế", "citadel", 107.5783, 16.4698),
    ("chua-thien-mu", "Chùa Thiên Mụ", "Thien Mu Pagoda", "pagoda", 107.5446, 16.4531),
    ("lang-tu-duc", "Lăng Tự Đức", "Tomb of Tu Duc", "tomb", 107.5665, 16.4333),
    ("lang-minh-mang", "Lăng Minh Mạng", "Tomb of Minh Mang", "tomb", 107.5721, 16.3883),
    ("lang-khai-dinh", "Lăng Khải Định", "Tomb of Khai Dinh", "tomb", 107.5908, 16.3990),
    ("cau-truong-tien", "Cầu Trường Tiền", "Truong Tien Bridge", "monument", 107.5887, 16.4680),
    ("cho-dong-ba", "Chợ Đông Ba", "Dong Ba Market", "market", 107.5884, 16.4733),
    ("pho-co-hoi-an", "Phố cổ Hội An", "Hoi An Ancient Town", "heritage_site", 108.3280, 15.8773),
]
HUE_CENTRE = (107.5909, 16.4637)  # lon, lat

# The walled Capital City (Kinh thành), roughly: a square around Đại Nội.
KINH_THANH = {
    "type": "Polygon",
    "coordinates": [
        [
            [107.565, 16.458],
            [107.592, 16.458],
            [107.592, 16.482],
            [107.565, 16.482],
            [107.565, 16.458],
        ]
    ],
}


def site_record(base: str = "chua-thien-mu", **overrides) -> dict:
    for s, vi, en, kind, lon, lat in HUE_SITES:
        if s == base:
            record = {
                "slug": s,
                "kind": kind,
                "name": {"vi": vi, "en": en},
                "location": {"type": "Point", "coordinates": [lon, lat]},
            }
            break
    else:
        raise KeyError(base)
    record.update(copy.deepcopy(overrides))
    return record


def zone_record(**overrides) -> dict:
    record = {
        "slug": "kinh-thanh-hue",
        "kind": "heritage_zone",
        "name": {"vi": "Kinh thành Huế", "en": "Huế Citadel", "fr": "Citadelle de Huế"},
        "location": {"type": "Point", "coordinates": [107.5783, 16.4698]},
        "footprint": copy.deepcopy(KINH_THANH),
        "categories": ["royal"],
    }
    record.update(copy.deepcopy(overrides))
    return record


def load_hue(catalogue, *, status: str = "published") -> dict[str, str]:
    """Create the Huế sites and the citadel zone; returns slug -> id. They are indexed
    together once all are written (as a bulk import does), not one by one."""
    ids = {}
    with catalogue.changes.deferred_hooks():
        for slug, *_ in HUE_SITES:
            ids[slug] = catalogue.create_site(site_record(slug), "test", status=status).id
        ids["kinh-thanh-hue"] = catalogue.create_site(zone_record(), "test", status=status).id
    return ids
