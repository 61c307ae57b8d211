"""What the tourist app says for codes in the data (kinds, days, report categories), as
English sentences that the catalogues translate (`_` in the templates); listed with N_ so
`pybabel extract` finds them."""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return text


KINDS = {
    "monument": N_("Monument"),
    "citadel": N_("Citadel"),
    "palace": N_("Palace"),
    "tomb": N_("Tomb"),
    "pagoda": N_("Pagoda"),
    "temple": N_("Temple or shrine"),
    "church": N_("Church"),
    "museum": N_("Museum"),
    "archaeological_site": N_("Archaeological site"),
    "heritage_site": N_("Heritage site"),
    "heritage_zone": N_("Heritage zone"),
    "protected_area": N_("Protected area"),
    "landscape": N_("Landscape or viewpoint"),
    "craft_village": N_("Craft village"),
    "market": N_("Market"),
    "route": N_("Route"),
    "tourist_service": N_("Tourist service"),
    "other": N_("Other"),
}
DAYS = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
REPORTS = {
    "closed": N_("It is closed today"),
    "hours": N_("The opening hours are wrong"),
    "location": N_("It is not at this place on the map"),
    "photo": N_("A photo shows another place"),
    "info": N_("Something else in the text is wrong"),
    "other": N_("Something else"),
}
WHEELCHAIR = {
    "yes": N_("Wheelchair accessible"),
    "limited": N_("Partly wheelchair accessible"),
    "no": N_("Not wheelchair accessible"),
    "unknown": N_("Wheelchair access unknown"),
}
