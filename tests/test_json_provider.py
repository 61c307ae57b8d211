"""The app's JSON provider writes what Flask's own compact JSON writes, through orjson."""

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from tourism_api.api.json_provider import OrjsonProvider


@dataclasses.dataclass
class Point:
    lon: float
    lat: float


@pytest.mark.parametrize(
    "value",
    [
        {"name": {"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda"}, "z": 1, "a": [1.5, None, True]},
        {"when": datetime(2026, 12, 7, 21, 0, tzinfo=UTC), "day": date(2026, 2, 17)},
        {"id": uuid.UUID("01a2524d-9522-7234-865d-f712ae0f9574"), "price": Decimal("25000")},
        {"html": Markup("<b>Huế</b>"), "point": Point(107.58, 16.45)},
        {"big": 2**80, "small": -(2**70)},
        {1: "a key that is not a string"},
    ],
    ids=["text", "dates", "uuid-decimal", "markup-dataclass", "big-integers", "int-keys"],
)
def test_writes_what_flask_writes_compactly(value):
    app = Flask(__name__)
    ours, flasks = OrjsonProvider(app), DefaultJSONProvider(app)
    flasks.ensure_ascii, flasks.sort_keys = False, False
    expected = flasks.dumps(value, separators=(",", ":"))
    assert ours.dumps(value) == expected
    with app.app_context():
        assert ours.response(value).get_data(as_text=True) == expected + "\n"


def test_other_options_go_to_pythons_json():
    app = Flask(__name__)
    assert OrjsonProvider(app).dumps({"a": [1]}, indent=2) == json.dumps({"a": [1]}, indent=2)


def test_what_neither_can_write_is_still_a_type_error():
    with pytest.raises(TypeError):
        OrjsonProvider(Flask(__name__)).dumps({"x": object()})
