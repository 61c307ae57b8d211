"""The controlled vocabularies of the catalogue.

Kinds and designations are code-level vocabularies because API clients
branch on them; categories live in the database so staff can extend them.
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    "monument": "Monument, memorial or historic building",
    "citadel": "Citadel, fortress or walled city",
    "palace": "Palace or royal residence",
    "tomb": "Tomb or mausoleum",
    "pagoda": "Buddhist pagoda",
    "temple": "Temple, shrine or communal house (đình, đền, miếu)",
    "church": "Church or cathedral",
    "museum": "Museum or gallery",
    "archaeological_site": "Archaeological site",
    "heritage_site": "Heritage property that is not a single building",
    "heritage_zone": "Protected heritage zone (has a footprint)",
    "protected_area": "Natural protected area, biosphere reserve or wetland",
    "landscape": "Cultural or natural landscape, viewpoint",
    "craft_village": "Traditional craft village",
    "market": "Market",
    "route": "Walking, cycling or boat route (line footprint)",
    "tourist_service": "Tourist service: information office, guides, boat landing, ticket office",
    "other": "Anything else",
}

# How long a visit takes when the record does not say (minutes): what itineraries plan for.
VISIT_MINUTES: dict[str, int] = {
    "monument": 30,
    "citadel": 150,
    "palace": 90,
    "tomb": 75,
    "pagoda": 45,
    "temple": 40,
    "church": 30,
    "museum": 90,
    "archaeological_site": 60,
    "heritage_site": 120,
    "heritage_zone": 180,
    "protected_area": 180,
    "landscape": 45,
    "craft_village": 60,
    "market": 45,
    "route": 120,
    "tourist_service": 15,
    "other": 45,
}

STATUSES = ("draft", "in_review", "published", "archived")

DESIGNATIONS: dict[str, str] = {
    "unesco_world_heritage": "UNESCO World Heritage Site",
    "unesco_intangible_heritage": "UNESCO Intangible Cultural Heritage",
    "unesco_biosphere_reserve": "UNESCO Biosphere Reserve (MAB)",
    "unesco_memory_of_world": "UNESCO Memory of the World",
    "ramsar_site": "Ramsar wetland of international importance",
    "asean_heritage_park": "ASEAN Heritage Park",
    "special_national_relic": "Special national relic (Di tích quốc gia đặc biệt)",
    "national_relic": "National relic (Di tích quốc gia)",
    "provincial_relic": "Provincial relic (Di tích cấp tỉnh)",
    "national_park": "National park",
    "other": "Other designation",
}

# The starting taxonomy, seeded by `tourism db init`; staff add more with
# `tourism category add`.
DEFAULT_CATEGORIES: list[tuple[str, str | None, dict[str, str]]] = [
    (
        "cultural-heritage",
        None,
        {"vi": "Di sản văn hoá", "en": "Cultural heritage", "fr": "Patrimoine culturel"},
    ),
    (
        "natural-heritage",
        None,
        {"vi": "Di sản thiên nhiên", "en": "Natural heritage", "fr": "Patrimoine naturel"},
    ),
    (
        "mixed-heritage",
        None,
        {"vi": "Di sản hỗn hợp", "en": "Mixed heritage", "fr": "Patrimoine mixte"},
    ),
    (
        "religious",
        "cultural-heritage",
        {"vi": "Tín ngưỡng, tôn giáo", "en": "Religious", "fr": "Religieux"},
    ),
    (
        "royal",
        "cultural-heritage",
        {"vi": "Cung đình", "en": "Royal and imperial", "fr": "Royal et impérial"},
    ),
    (
        "architecture",
        "cultural-heritage",
        {"vi": "Kiến trúc", "en": "Architecture", "fr": "Architecture"},
    ),
    (
        "archaeology",
        "cultural-heritage",
        {"vi": "Khảo cổ", "en": "Archaeology", "fr": "Archéologie"},
    ),
    ("history", "cultural-heritage", {"vi": "Lịch sử", "en": "History", "fr": "Histoire"}),
    ("crafts", "cultural-heritage", {"vi": "Làng nghề", "en": "Crafts", "fr": "Artisanat"}),
    ("wetland", "natural-heritage", {"vi": "Đất ngập nước", "en": "Wetland", "fr": "Zone humide"}),
    ("biosphere", "natural-heritage", {"vi": "Sinh quyển", "en": "Biosphere", "fr": "Biosphère"}),
    (
        "coast-and-islands",
        "natural-heritage",
        {"vi": "Biển đảo", "en": "Coast and islands", "fr": "Côtes et îles"},
    ),
    (
        "visitor-services",
        None,
        {"vi": "Dịch vụ du lịch", "en": "Visitor services", "fr": "Services aux visiteurs"},
    ),
]
