"""Photos through the API on both databases: upload, review flags, derivatives, IIIF, deletion."""

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from tests.factories import site_record, zone_record
from tests.media.helpers import SVG_WITH_SCRIPT, generated_jpeg, photo, png_bomb, post_photo
from tourism_api.catalogue.models import Media, Revision


def media_files(settings) -> list[Path]:
    root = Path(settings.media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_describe_and_serve(client, staff, catalogue, settings, services):
    site = catalogue.create_site(site_record(), "t", status="published")
    response = post_photo(
        client,
        staff,
        "chua-thien-mu",
        photo("portrait_6.jpg"),
        "../../etc/passwd",
        **{
            "caption.vi": "Tháp Phước Duyên",
            "caption.en": "Phuoc Duyen tower",
            "licence": "CC-BY-SA-4.0",
            "creator": "Nguyễn Văn An",
            "attribution": "Trung tâm Bảo tồn Di tích Cố đô Huế",
        },
    )
    assert response.status_code == 201, response.json
    media = response.json
    assert (media["width"], media["height"]) == (450, 600)  # upright
    assert media["primary"] is True and media["original_name"] == "passwd"
    assert media["caption"] == {"vi": "Tháp Phước Duyên", "en": "Phuoc Duyen tower"}
    assert media["review"] == []
    # The site now shows its primary photo, and a revision says who added it.
    shown = client.get("/v1/sites/chua-thien-mu").json
    assert shown["image"]["thumbnail"] == f"/v1/media/{media['id']}/thumb.webp"
    assert catalogue.revisions(site.id)[-1].action == "media"
    public = client.get(f"/v1/media/{media['id']}").json
    assert "exif" not in public and "gps" not in public
    thumb = client.get(f"/v1/media/{media['id']}/thumb.webp")
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert "immutable" in thumb.headers["Cache-Control"]
    assert Image.open(io.BytesIO(thumb.data)).size == (240, 320)
    again = client.get(
        f"/v1/media/{media['id']}/thumb.webp", headers={"If-None-Match": thumb.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get(f"/v1/media/{media['id']}/huge.webp").status_code == 422
    patched = client.patch(
        f"/v1/media/{media['id']}",
        json={"caption": {"fr": "Tour Phuoc Duyen", "en": None}, "position": 3},
        headers=staff,
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["caption"] == {"vi": "Tháp Phước Duyên", "fr": "Tour Phuoc Duyen"}
    bad_licence = client.patch(
        f"/v1/media/{media['id']}", json={"licence": "do what you want"}, headers=staff
    )
    assert bad_licence.status_code == 422 and "licence" in bad_licence.json["errors"]


def test_gps_far_from_the_site_is_flagged(client, staff, catalogue):
    catalogue.create_site(site_record(), "t", status="published")
    body = post_photo(client, staff, "chua-thien-mu", photo("DSCN0010.jpg")).json
    assert [f["code"] for f in body["review"]] == ["gps_far_from_site"]
    assert body["gps"]["lat"] > 43 and body["camera"] == "NIKON COOLPIX P6000"
    for size in ("thumb", "medium", "large"):
        blob = client.get(f"/v1/media/{body['id']}/{size}.jpg").data
        assert len(Image.open(io.BytesIO(blob)).getexif()) == 0 and b"COOLPIX" not in blob
    duplicate = post_photo(client, staff, "chua-thien-mu", photo("DSCN0010.jpg")).json
    assert "near_duplicate" in [f["code"] for f in duplicate["review"]]


def test_rejected_uploads_write_nothing(client, staff, catalogue, services, settings):
    site = catalogue.create_site(site_record(), "t", status="published")
    revisions = len(catalogue.revisions(site.id))
    cases = [
        (b"just text", "photo.jpg", 415),
        (SVG_WITH_SCRIPT, "icon.svg", 415),
        (png_bomb(), "small.png", 422),
        (photo("DSCN0010.jpg")[:50_000], "cut.jpg", 422),
        (b"", "empty.jpg", 422),
    ]
    for data, name, status in cases:
        response = post_photo(client, staff, "chua-thien-mu", data, name)
        assert response.status_code == status, (name, response.json)
        assert response.json["errors"]["file"]
    assert media_files(settings) == []
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Media)) == 0
    assert len(catalogue.revisions(site.id)) == revisions
    assert post_photo(client, {}, "chua-thien-mu", photo("DSCN0010.jpg")).status_code == 401


def test_oversized_upload_is_refused_before_reading(client, staff, catalogue, settings):
    catalogue.create_site(site_record(), "t", status="published")
    big = b"\xff\xd8\xff" + b"\x00" * (settings.max_image_bytes + 2 * 1024 * 1024)
    response = post_photo(client, staff, "chua-thien-mu", big)
    assert response.status_code == 413
    assert media_files(settings) == []


def test_same_bytes_stored_once_and_kept_until_unreferenced(client, staff, catalogue, settings):
    catalogue.create_site(site_record(), "t", status="published")
    catalogue.create_site(site_record("dai-noi"), "t", status="published")
    first = post_photo(client, staff, "chua-thien-mu", photo("landscape_3.jpg")).json
    second = post_photo(client, staff, "dai-noi", photo("landscape_3.jpg")).json
    assert first["sha256"] == second["sha256"]
    originals = [p for p in media_files(settings) if "originals" in p.parts]
    assert len(originals) == 1
    assert client.delete(f"/v1/media/{first['id']}", headers=staff).status_code == 204
    assert [p for p in media_files(settings) if "originals" in p.parts] == originals
    assert client.get(f"/v1/media/{second['id']}/thumb.jpg").status_code == 200
    assert client.delete(f"/v1/media/{second['id']}", headers=staff).status_code == 204
    assert media_files(settings) == []
    assert client.get(f"/v1/media/{second['id']}").status_code == 404


def test_primary_image_moves_and_search_shows_it(client, staff, catalogue, services):
    catalogue.create_site(site_record(), "t", status="published")
    first = post_photo(client, staff, "chua-thien-mu", photo("landscape_3.jpg")).json
    second = post_photo(client, staff, "chua-thien-mu", photo("DSCN0021.jpg"), primary="true").json
    listing = client.get("/v1/sites/chua-thien-mu/media").json["items"]
    assert [(m["id"], m["primary"]) for m in listing] == [
        (first["id"], False),
        (second["id"], True),
    ]
    hit = client.get("/v1/search?q=thien%20mu").json["items"][0]
    assert hit["image"]["id"] == second["id"]
    client.delete(f"/v1/media/{second['id']}", headers=staff)
    assert client.get("/v1/search?q=thien%20mu").json["items"][0]["image"]["id"] == first["id"]


def test_photos_of_drafts_are_staff_only(client, staff, catalogue):
    catalogue.create_site(site_record(), "t")
    media = post_photo(client, staff, "chua-thien-mu", photo("landscape_3.jpg")).json
    assert client.get(f"/v1/media/{media['id']}").status_code == 404
    assert client.get(f"/v1/media/{media['id']}/thumb.jpg").status_code == 404
    assert client.get(f"/iiif/3/{media['id']}/info.json").status_code == 404
    assert client.get(f"/v1/media/{media['id']}", headers=staff).status_code == 200


def test_iiif_image_api(client, staff, catalogue):
    catalogue.create_site(site_record(), "t", status="published")
    media = post_photo(
        client, staff, "chua-thien-mu", photo("iiif-validator.png"), licence="CC-BY-4.0"
    ).json
    base = f"/iiif/3/{media['id']}"
    assert client.get(base).status_code == 303
    info = client.get(f"{base}/info.json").json
    assert (
        info["width"] == media["width"]
        and info["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    )
    assert info["id"].endswith(base)
    tile = client.get(f"{base}/0,0,512,512/256,/0/default.jpg")
    assert tile.status_code == 200 and tile.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(tile.data)).width == 256
    gray = client.get(f"{base}/full/max/90/gray.png")
    image = Image.open(io.BytesIO(gray.data))
    assert image.mode == "L" and image.size == (media["height"], media["width"])
    bounded = client.get(f"{base}/0,0,100000,100000/max/0/default.jpg")
    assert bounded.status_code == 200
    assert Image.open(io.BytesIO(bounded.data)).size == (media["width"], media["height"])
    huge = client.get(f"{base}/full/99999,/0/default.jpg")
    assert huge.status_code == 400 and huge.json["code"] == 400
    assert client.get(f"{base}/full/max/0/default.tiff").status_code == 400


def test_presentation_manifest(client, staff, catalogue):
    catalogue.create_site(
        site_record(
            name={"vi": "Chùa Thiên Mụ", "en": "Thien Mu Pagoda", "fr": "Pagode de la Dame céleste"}
        ),
        "t",
        status="published",
    )
    post_photo(
        client,
        staff,
        "chua-thien-mu",
        photo("landscape_3.jpg"),
        licence="CC-BY-SA-4.0",
        **{"caption.vi": "Cổng chùa", "caption.en": "The gate"},
    )
    post_photo(client, staff, "chua-thien-mu", photo("DSCN0021.jpg"), licence="CC-BY-SA-4.0")
    manifest = client.get("/iiif/3/sites/chua-thien-mu/manifest").json
    assert manifest["type"] == "Manifest"
    assert "http://iiif.io/api/presentation/3/context.json" in manifest["@context"]
    assert manifest["label"] == {
        "vi": ["Chùa Thiên Mụ"],
        "en": ["Thien Mu Pagoda"],
        "fr": ["Pagode de la Dame céleste"],
    }
    assert manifest["rights"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    feature = manifest["navPlace"]["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [107.5446, 16.4531]}
    canvases = manifest["items"]
    assert len(canvases) == 2 and canvases[0]["label"] == {"vi": ["Cổng chùa"], "en": ["The gate"]}
    body = canvases[0]["items"][0]["items"][0]["body"]
    assert body["service"][0]["type"] == "ImageService3"
    assert canvases[0]["items"][0]["items"][0]["motivation"] == "painting"
    as_ld = client.get(
        "/iiif/3/sites/chua-thien-mu/manifest", headers={"Accept": "application/ld+json"}
    )
    assert as_ld.headers["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    )


def test_manifests_need_photos_and_show_a_zone_s_footprint(client, staff, catalogue):
    zone = catalogue.create_site(zone_record(), "t", status="published")
    answer = client.get(f"/iiif/3/sites/{zone.id}/manifest")
    assert answer.status_code == 404 and "no photos" in answer.json["message"]
    post_photo(client, staff, zone.id, photo("landscape_3.jpg"), licence="CC-BY-4.0")
    manifest = client.get(f"/iiif/3/sites/{zone.id}/manifest").json
    geometry = manifest["navPlace"]["features"][0]["geometry"]
    assert geometry["type"] == "Polygon"
    assert geometry["coordinates"][0][0] == [107.565, 16.458]


def test_revisions_record_photo_changes(client, staff, catalogue, services):
    site = catalogue.create_site(site_record(), "t", status="published")
    media = post_photo(client, staff, "chua-thien-mu", photo("landscape_3.jpg")).json
    client.patch(f"/v1/media/{media['id']}", json={"creator": "Lê Thị Hoa"}, headers=staff)
    client.delete(f"/v1/media/{media['id']}", headers=staff)
    with services.sessions() as session:
        actions = session.scalars(
            select(Revision.action).where(Revision.site_id == site.id).order_by(Revision.version)
        ).all()
    assert actions == ["create", "media", "media", "media"]


def test_import_folder_proposes_the_nearest_site(settings, catalogue, tmp_path):
    from click.testing import CliRunner

    from tourism_api.cli import main

    # A site where the Nikon photos were taken (Arezzo, Tuscany), and one far away in Huế.
    near = catalogue.create_site(
        site_record(
            slug="arezzo-viewpoint",
            name={"en": "Arezzo viewpoint"},
            kind="landscape",
            location={"type": "Point", "coordinates": [11.8850, 43.4675]},
        ),
        "t",
    )
    catalogue.create_site(site_record(), "t", status="published")
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("DSCN0010.jpg", "DSCN0021.jpg", "portrait_6.jpg"):
        (folder / name).write_bytes(photo(name))
    (folder / "notes.txt").write_text("not a photo")
    args = [
        "--database-url",
        settings.database_url,
        "--search-url",
        settings.search_url,
        "media",
        "import-folder",
        str(folder),
        "--max-distance",
        "300",
    ]
    env = {"TOURISM_MEDIA_ROOT": settings.media_root}
    listing = CliRunner().invoke(main, args, env=env)
    assert listing.exit_code == 0, listing.output
    assert "DSCN0010.jpg\tarezzo-viewpoint" in listing.output
    assert "portrait_6.jpg\t-\tno GPS" in listing.output
    assert catalogue.get_site(near.id, include_unpublished=True).media == []
    applied = CliRunner().invoke(main, [*args, "--apply", "--licence", "CC-BY-SA-4.0"], env=env)
    assert "2 attached" in applied.output, applied.output
    photos = catalogue.get_site(near.id, include_unpublished=True).media
    assert len(photos) == 2 and {p.licence for p in photos} == {"CC-BY-SA-4.0"}


def test_arbitrary_iiif_requests_do_not_fill_the_disk(client, staff, catalogue, settings):

    site = catalogue.create_site(site_record(), "lan", status="published")
    media = post_photo(client, staff, site.id, generated_jpeg(1600, 1200), "big.jpg").json["id"]

    def stored() -> int:
        return sum(1 for p in Path(settings.media_root).rglob("iiif-*") if p.is_file())

    before = stored()
    for i in range(40):  # what a crawler or an attacker sends: every request different
        response = client.get(
            f"/iiif/3/{media}/{i},{i},{300 + i},{200 + i}/{100 + i},/0/default.jpg"
        )
        assert response.status_code == 200
    assert stored() == before
    tile = client.get(f"/iiif/3/{media}/0,0,512,512/512,/0/default.jpg")
    assert tile.status_code == 200 and stored() == before + 1
    again = client.get(f"/iiif/3/{media}/0,0,512,512/512,/0/default.jpg")
    assert again.data == tile.data and stored() == before + 1
