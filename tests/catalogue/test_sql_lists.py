"""`one_of`: the same rows as IN on both databases, however long or empty the list."""

from sqlalchemy import select

from tests.factories import load_hue
from tourism_api.catalogue.models import Site
from tourism_api.catalogue.sql_lists import one_of


def test_one_of_selects_what_in_selects(services):
    load_hue(services.catalogue)
    with services.sessions() as session:
        slugs = sorted(session.scalars(select(Site.slug)))
        wanted = [slugs[0], slugs[-1], "no-such-site", *(f"missing-{i}" for i in range(2000))]
        for values in (wanted, [], slugs[:1], set(slugs)):
            found = sorted(
                session.scalars(select(Site.slug).where(one_of(session, Site.slug, values)))
            )
            assert found == sorted(set(values) & set(slugs))
        statement = select(Site.slug).where(one_of(session, Site.slug, wanted))
        compiled = str(statement.compile(session.get_bind()))
        if session.get_bind().dialect.name == "postgresql":
            assert "ANY" in compiled and compiled.count("%(") == 1  # one array parameter
