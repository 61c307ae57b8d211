import pytest

from search.text import fold, normalize, slugify, tone_key


@pytest.mark.parametrize(
    "typed",
    ["chua thien mu", "Chùa Thiên Mụ", "CHUA THIEN MU", "Chua  Thien\tMu", "CHÙA THIÊN MỤ"],
)
def test_fold_makes_every_spelling_of_thien_mu_equal(typed):
    assert fold(typed) == "chua thien mu"


def test_fold_maps_d_with_stroke_and_strips_marks():
    assert fold("Đại Nội Huế") == "dai noi hue"
    assert fold("đền") == "den"


def test_fold_accepts_decomposed_input():
    decomposed = "Hue\u0302\u0301"  # "Huế" typed with combining marks
    assert fold(decomposed) == "hue"
    assert normalize(decomposed) == "Huế"


@pytest.mark.parametrize(
    ("old", "new"), [("hòa", "hoà"), ("thủy", "thuỷ"), ("Khánh Hòa", "Khánh Hoà")]
)
def test_tone_key_ignores_old_and_new_tone_placement(old, new):
    assert old != new
    assert tone_key(old) == tone_key(new)


def test_tone_key_tells_exact_diacritics_from_folded_match():
    assert fold("Huế") == fold("Huê") == fold("Hue")
    assert tone_key("Huế") != tone_key("Huê")
    assert tone_key("Huế") != tone_key("Hue")
    assert tone_key("HUẾ") == tone_key("huế")


def test_normalize_removes_control_characters_and_collapses_space():
    assert normalize("  Chùa\u0000 Thiên   Mụ \u200b") == "Chùa Thiên Mụ"


def test_slugify():
    assert slugify("Chùa Thiên Mụ") == "chua-thien-mu"
    assert slugify("Complex of Hué Monuments") == "complex-of-hue-monuments"
    assert slugify("!!!") == "site"
    assert len(slugify("x" * 500)) == 80
