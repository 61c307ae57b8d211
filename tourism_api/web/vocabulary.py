"""Words the pages translate from data (roles, statuses, days, answers), listed here so
that `pybabel extract -k N_` finds them; templates translate them with `_(value)`."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate yet"
    return text


WORDS = (
    N_("viewer"),
    N_("editor"),
    N_("reviewer"),
    N_("admin"),
    N_("draft"),
    N_("in_review"),
    N_("published"),
    N_("archived"),
    N_("queued"),
    N_("running"),
    N_("done"),
    N_("failed"),
    N_("create"),
    N_("update"),
    N_("media"),
    N_("submit"),
    N_("publish"),
    N_("unpublish"),
    N_("archive"),
    N_("reject"),
    N_("mon"),
    N_("tue"),
    N_("wed"),
    N_("thu"),
    N_("fri"),
    N_("sat"),
    N_("sun"),
    N_("yes"),
    N_("limited"),
    N_("no"),
    N_("unknown"),
    N_("photo"),
    N_("hours"),
    N_("vi"),
    N_("en"),
    N_("fr"),
)
