"""JSON through orjson gives back exactly what the standard library gives."""

import json

import pytest

from tourism_api import jsonio


@pytest.mark.parametrize(
    "text",
    [
        '{"name": {"vi": "Chùa Thiên Mụ"}, "year": 1601, "ratio": 0.1}',
        "[12345678901234567890123]",  # beyond 64 bits: orjson would give a float
        "-9999999999999999999",
        '{"x": NaN, "y": Infinity}',  # what Python's json writes for them
        "[]",
        "{}",
        "null",
        # Long texts take another way to spot long numbers: after Vietnamese, in a list,
        # and numbers of 18 digits (exact in orjson) with no run of 19 among them.
        '{"d": "' + "Đại Nội Huế " * 40 + '", "n": [1, 123456789012345678901234567]}',
        "[" + ", ".join(["123456789012345678"] * 40) + ", -18446744073709551617]",
        "[" + ", ".join(["123456789012345678"] * 40) + "]",
    ],
)
def test_loads_reads_what_json_reads(text):
    expected = json.loads(text)
    for given in (text, text.encode()):
        value = jsonio.loads(given)
        assert repr(value) == repr(expected)  # NaN != NaN, so compare what they print


def test_empty_values_are_new_objects_each_time():
    """A column's value is changed in place by callers: two rows must not share one."""
    first, second = jsonio.loads("{}"), jsonio.loads(b"{}")
    first["changed"] = True
    assert second == {} and jsonio.loads("{}") == {}
    items = jsonio.loads("[]")
    items.append(1)
    assert jsonio.loads("[]") == []


def test_loads_still_refuses_what_is_not_json():
    with pytest.raises(ValueError):
        jsonio.loads("{not json")


@pytest.mark.parametrize(
    "value",
    [
        {"name": "Huế", "list": [1, 2.5, None, True]},
        {"big": 2**80},
        {1: "non-string key"},
    ],
)
def test_dumps_bytes_writes_what_json_writes(value):
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert jsonio.dumps_bytes(value) == expected
