"""Which sites a new record is compared with (on both databases)."""

from ingest import matching
from tests.factories import site_record


def test_other_sources_are_found_on_either_side_of_this_ones_name(services, catalogue):
    def others(source: str) -> bool:
        with services.sessions() as session:
            return matching.others_exist(session, source)

    assert not others("osm")
    catalogue.create_site(site_record(sources=[{"source": "osm", "source_id": "n1"}]), "x")
    assert not others("osm")  # only its own sites: nothing to match against
    assert others("wikidata") and others("hue-relics")  # "osm" sorts after one, before other
    catalogue.create_site(
        site_record("dai-noi", sources=[{"source": "wikidata", "source_id": "Q1"}]), "x"
    )
    assert others("osm") and others("wikidata")
