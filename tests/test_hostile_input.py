"""Hostile input, typed by a user: script tags, SQL fragments, 10,000 characters, control characters and
right-to-left marks in every text field of the case form, in the reviewer's comment and in an organiser's
reason; hostile files through the portal's form.

What a user would notice: the text is kept exactly as typed (read back from the database, equal), or refused
with a message that says which field and why; every page that shows it shows it as text (escaped), never as
markup; the open-data files hold the same text, as data (no spreadsheet formula). Files are refused with a
message naming the file, or stored under a generated name inside MEDIA_ROOT.

The upload checks of govcases.uploads are tested one by one in tests/govcases/test_uploads.py; here are the
attacks it does not cover, sent through the portal's form as a browser would send them.
"""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook
from PIL import Image

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, CaseImage, CaseTransition, Publication, RoundPhaseChange
from govcases.services import publication_create, round_phase_set
from reviews.models import Assignment, Review, SelectionDecision
from reviews.services import round_publish, selection_propose
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round
from tests.test_access_matrix import walk

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Each short enough for the shortest text field (the contact phone: 30 characters).
PAYLOADS = {
    "script tag": "<script>alert('xss')</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "SQL fragment": "'; DROP TABLE govcases_case;--",
    "right-to-left override": "\u202egpj.exe 政务\u202c",
    "bell and escape": "响铃\x07转义\x1b[31m红",
    "spreadsheet formula": '=HYPERLINK("http://x.cn","点")',
}
# Free text: stored exactly as typed. The phone number is checked for its shape (test below).
TEXT_FIELDS = ["title", "summary", "description", "outcomes", "contact_name"]
MAX_LENGTHS = {name: Case._meta.get_field(name).max_length for name in TEXT_FIELDS}
LONG = "长" * 10_000


def shown_as_text(page: str, text: str) -> None:
    """The text is on the page, escaped where it has markup characters, and never as raw markup."""
    escaped = escape(text)
    if escaped != text:
        assert text not in page, f"raw {text!r} in the page"
    assert escaped in page, f"{escaped!r} not in the page"


def no_raw_markup(page: str, text: str) -> None:
    if escape(text) != text:
        assert text not in page, f"raw {text!r} in the page"


@pytest.fixture
def draft(round_, officer):
    """A complete draft of agency A (with its image), ready to submit."""
    return factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)


def edit(client, case, **values):
    """Saves the draft as the form would: every field as it is, except `values`."""
    fields = model_to_dict(
        case, fields=[*TEXT_FIELDS, "category", "service_url", "contact_email", "contact_phone"]
    )
    return client.post(
        reverse("portal:case_edit", args=[case.pk]), {**fields, **values, "action": "save"}, **EN
    )


# --- the case form -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_hostile_text_is_stored_as_typed_and_shown_as_text(client, draft, officer, field, payload):
    client.force_login(officer)

    response = edit(client, draft, **{field: payload})

    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert getattr(draft, field) == payload
    shown_as_text(client.get(reverse("portal:case", args=[draft.pk])).content.decode(), payload)
    shown_as_text(client.get(reverse("portal:case_edit", args=[draft.pk])).content.decode(), payload)


def test_a_draft_without_a_title_has_a_page(client, draft, officer):
    """Emptying every field is allowed in a draft; its pages must still render (they name it "untitled")."""
    client.force_login(officer)
    assert edit(client, draft, **dict.fromkeys(TEXT_FIELDS, "")).status_code == 302
    for url in (reverse("portal:case", args=[draft.pk]), reverse("portal:dashboard")):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_ten_thousand_characters_are_refused_with_a_message_where_a_limit_exists(
    client, draft, officer, field
):
    client.force_login(officer)
    before = getattr(draft, field)

    also_typed = {} if field == "title" else {"title": "同时保存的标题"}

    response = edit(client, draft, **{field: LONG, **also_typed})

    draft.refresh_from_db()
    if MAX_LENGTHS[field] >= len(LONG):
        assert response.status_code == 302
        assert getattr(draft, field) == LONG
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f"Ensure this value has at most {MAX_LENGTHS[field]} characters (it has 10000)" in page
    assert getattr(draft, field) == before  # refused, not cut short
    if field != "title":
        assert draft.title == "同时保存的标题"  # the rest of the form was saved


def test_the_description_keeps_ten_thousand_characters(client, draft, officer):
    """The one field whose limit (20,000) is above 10,000: kept whole, and shown whole."""
    client.force_login(officer)
    assert edit(client, draft, description=LONG).status_code == 302
    draft.refresh_from_db()
    assert draft.description == LONG
    assert LONG in client.get(reverse("portal:case", args=[draft.pk])).content.decode()


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_nul_character_is_refused_with_a_message_not_a_crash(client, draft, officer, field):
    client.force_login(officer)
    before = getattr(draft, field)

    response = edit(client, draft, **{field: "前\x00后"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Null characters are not allowed." in page
    draft.refresh_from_db()
    assert getattr(draft, field) == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://x.cn/\x00",
    ],
)
def test_a_link_that_is_not_http_is_refused(client, draft, officer, url):
    client.force_login(officer)
    response = edit(client, draft, service_url=url)
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.service_url == "https://www.example.gov.cn/service"


def test_a_link_with_markup_in_its_query_is_kept_and_shown_as_text(client, draft, officer):
    url = "https://www.example.gov.cn/s?q=\"><script>alert(1)</script>&x='y'"
    client.force_login(officer)
    assert edit(client, draft, service_url=url).status_code == 302
    draft.refresh_from_db()
    assert draft.service_url == url
    page = client.get(reverse("portal:case", args=[draft.pk])).content.decode()
    shown_as_text(page, url)
    assert f'href="{escape(url)}"' in page


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        # A quoted local part may hold almost anything (RFC 5322): a valid address, so shown as text.
        ('"<script>alert(1)</script>"@example.cn', True),
        ("a@example.cn\n<b>x</b>", False),
        ("a@b.cn'; --", False),
        ("<script>@example.cn", False),
    ],
)
def test_an_e_mail_address_with_markup_is_refused_or_shown_as_text(client, draft, officer, address, valid):
    client.force_login(officer)
    response = edit(client, draft, contact_email=address)
    draft.refresh_from_db()
    if valid:
        assert response.status_code == 302
        assert draft.contact_email == address
        shown_as_text(client.get(reverse("portal:case", args=[draft.pk])).content.decode(), address)
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    no_raw_markup(page, address)
    assert draft.contact_email == "zhangmin@example.cn"


def test_the_sql_fragment_did_not_reach_the_database_as_sql(client, draft, officer):
    client.force_login(officer)
    edit(client, draft, title=PAYLOADS["SQL fragment"], summary="'; DELETE FROM auth_user; --")
    assert Case.objects.filter(title=PAYLOADS["SQL fragment"]).count() == 1
    assert Case.objects.count() == 1 and User.objects.filter(pk=officer.pk).exists()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_hostile_phone_number_is_refused_and_shown_back_as_text(client, draft, officer, payload):
    client.force_login(officer)
    before = draft.contact_phone

    response = edit(client, draft, contact_phone=payload)

    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    shown_as_text(response.content.decode(), payload)
    draft.refresh_from_db()
    assert draft.contact_phone == before


# --- the same text on every page that shows it, through review and publication --------------------------------


def hostile_case(client, round_, officer, payload: str) -> Case:
    """A case whose every text field is the payload, submitted through the portal."""
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    client.force_login(officer)
    values = {field: payload for field in TEXT_FIELDS}
    values["category"] = case.category_id
    values["service_url"] = "https://www.example.gov.cn/service"
    values["contact_email"] = "zhangmin@example.cn"
    values["contact_phone"] = "010-12345678"
    response = client.post(reverse("portal:case_edit", args=[case.pk]), {**values, "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    for field in TEXT_FIELDS:
        assert getattr(case, field) == payload, field
    return case


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_hostile_text_is_escaped_on_every_page_from_portal_to_publication(
    client, round_, officer, organiser, payload
):
    case = hostile_case(client, round_, officer, payload)
    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")
    category = case.category
    factories.rubric(round_, category)
    reviewer = factories.ReviewerFactory()
    assignment = Assignment.objects.create(reviewer=reviewer, case=case)

    # The reviewer: queue and scoring page, then a comment in the same hostile words.
    client.force_login(reviewer)
    review_url = reverse("review:reviews_assignment_change", args=[assignment.pk])
    shown_as_text(client.get(reverse("review:reviews_assignment_changelist")).content.decode(), payload)
    page = client.get(review_url).content.decode()
    for field in ("title", "summary", "description", "outcomes"):
        shown_as_text(page, getattr(case, field))
    assert client.post(review_url, {"comment": payload, "_save": "1"}).status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.comment == payload.strip()
    shown_as_text(client.get(review_url).content.decode(), review.comment)

    # The organisers: the case, the lists, the reviews, the boards.
    client.force_login(organiser)
    for url in (
        reverse("admin:govcases_case_change", args=[case.pk]),
        reverse("admin:govcases_case_changelist"),
        reverse("admin:reviews_review_change", args=[review.pk]),
        reverse("admin:reviews_assignment_changelist"),
        reverse("admin:reviews_rankingboard_change", args=[round_.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        shown_as_text(response.content.decode(), payload)
    reminders = client.get(reverse("admin:reviews_reviewprogress_reminders", args=[round_.pk]))
    no_raw_markup(reminders.content.decode(), payload)
    # The organisers' scoring workbook: the title as text, not a formula, and no crash on control characters.
    export = client.get(reverse("admin:reviews_rankingboard_xlsx", args=[round_.pk]))
    assert export.status_code == 200
    cells = [
        cell
        for sheet in load_workbook(io.BytesIO(export.content))
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert xlsx_text(payload) in {cell.value for cell in cells if cell.data_type == "s"}
    assert not [cell.value for cell in cells if cell.data_type == "f"], "a formula in the scoring workbook"
    export = client.get(reverse("admin:reviews_rankingboard_csv", args=[round_.pk]))
    assert export.status_code == 200
    assert csv_text(payload) in [
        value for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig"))) for value in row
    ]
    admin_review = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    shown_as_text(admin_review, review.comment)

    round_phase_set(round=round_, to=Phase.SELECTION, by=organiser, override=True, reason="测试准备")
    shown_as_text(
        client.get(reverse("admin:reviews_selectionboard_change", args=[round_.pk])).content.decode(), payload
    )
    # The agency's published name is typed by an organiser: the same words, to follow them to the public too.
    case.agency.display_name = agency_name(payload)
    case.agency.save()
    publication_create(round=round_, selected=[case], by=organiser, override=True, reason="测试准备")

    # The public: every page that shows the case, anonymous.
    client.logout()
    for url in ("/", f"/results/{round_.year}/", "/cases/", f"/cases/{case.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        shown_as_text(response.content.decode(), payload)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    for field in ("summary", "description", "outcomes"):
        shown_as_text(detail, getattr(case, field))
    shown_as_text(detail, agency_name(payload))

    # Searching for the words finds the case and echoes the words as text.
    search = client.get("/cases/", {"q": payload}).content.decode()
    no_raw_markup(search, payload)
    assert f'href="/cases/{case.pk}/"' in search

    check_open_data(client, round_.year, case, payload)


def check_open_data(client, year: int, case: Case, payload: str) -> None:
    """JSON, CSV and XLSX hold the title exactly, as data."""
    response = client.get(f"/results/{year}.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    cases = [
        (c["title"], c["agency"]) for category in response.json()["categories"] for c in category["cases"]
    ]
    assert cases == [(payload, agency_name(payload))]

    response = client.get(f"/results/{year}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [(row[2], row[3]) for row in rows[1:]] == [(csv_text(payload), csv_text(agency_name(payload)))]

    response = client.get(f"/results/{year}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[str(year)]
    # A title that looks like a formula stays a string: a spreadsheet must not run it.
    for column, text in [(3, payload), (4, agency_name(payload))]:
        cell = sheet.cell(row=2, column=column)
        assert cell.data_type == "s", f"{cell.value!r} is stored as {cell.data_type!r}, not as text"
        assert cell.value == xlsx_text(text)


def agency_name(payload: str) -> str:
    return payload.replace("=", "=单位", 1) if payload.startswith("=") else f"单位{payload}"


def csv_text(text: str) -> str:
    """What a CSV cell holds of the text: no control characters, an apostrophe before a formula (OWASP)."""
    text = "".join(ch for ch in text if ch == "\n" or ord(ch) >= 0x20)
    return f"'{text}" if text.startswith(("=", "+", "-", "@")) else text


def xlsx_text(text: str) -> str:
    """What a spreadsheet can hold of the text: XML 1.0 forbids most control characters (the bell, escape)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


# --- the reviewer's comment ----------------------------------------------------------------------------------


@pytest.fixture
def scoring(round_, officer, organiser):
    """A case in review assigned to a reviewer, who is logged in on the scoring page."""
    case = factories.CaseFactory(
        round=round_, agency=officer.agency_membership.agency, status=CaseStatus.IN_REVIEW
    )
    round_.phase = Phase.REVIEW
    round_.review_deadline = timezone.now() + timedelta(days=10)
    round_.save()
    factories.rubric(round_, case.category)
    reviewer = factories.ReviewerFactory()
    assignment = Assignment.objects.create(reviewer=reviewer, case=case)
    return reviewer, assignment, reverse("review:reviews_assignment_change", args=[assignment.pk])


def test_a_comment_of_ten_thousand_characters_is_refused_with_a_message(client, scoring):
    reviewer, assignment, url = scoring
    client.force_login(reviewer)
    response = client.post(url, {"comment": LONG, "_save": "1"}, **EN)
    assert response.status_code == 200
    assert "Ensure this value has at most 5000 characters (it has 10000)." in response.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()


def test_a_comment_with_a_nul_character_is_refused_with_a_message(client, scoring):
    reviewer, assignment, url = scoring
    client.force_login(reviewer)
    response = client.post(url, {"comment": "意见\x00注入", "_save": "1"}, **EN)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()


# --- an organiser's reason -----------------------------------------------------------------------------------


def return_with_reason(client, case, reason):
    return client.post(
        reverse("admin:govcases_case_changelist"),
        {"action": "status_returned", "_selected_action": [case.pk], "apply": "1", "reason": reason},
        **EN,
    )


@pytest.mark.parametrize("payload", [*PAYLOADS.values(), LONG], ids=[*PAYLOADS.keys(), "10,000 characters"])
def test_a_hostile_reason_is_stored_as_typed_and_shown_as_text_to_the_agency(
    client, round_, officer, organiser, payload
):
    case = hostile_case(client, round_, officer, "普通标题")
    client.force_login(organiser)

    assert return_with_reason(client, case, payload).status_code == 302

    transition = CaseTransition.objects.get(case=case, to_status=CaseStatus.RETURNED)
    assert transition.reason == payload.strip()
    shown_as_text(client.get(reverse("admin:govcases_case_change", args=[case.pk])).content.decode(), payload)
    client.force_login(officer)
    for url in (reverse("portal:case", args=[case.pk]), reverse("portal:case_edit", args=[case.pk])):
        shown_as_text(client.get(url).content.decode(), payload)


def test_a_reason_with_a_nul_character_is_refused_with_a_message(client, round_, officer, organiser):
    case = hostile_case(client, round_, officer, "普通标题")
    client.force_login(organiser)
    response = return_with_reason(client, case, "理由\x00注入")
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- hostile files through the portal form -------------------------------------------------------------------


def png_100_megapixels() -> bytes:
    """A real 10,000 × 10,000 PNG: one bit a pixel, all white, so it compresses to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(buffer, "PNG")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A zip file that inflates to 100 MB, sent under an image's name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("bomb.bin", b"\0" * 100_000_000)
    return buffer.getvalue()


def jpeg_header() -> bytes:
    return factories.png_bytes(8, 8, fmt="JPEG")[:20]


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"

REFUSED_UPLOADS = {
    "GIF header then HTML": ("poly.gif.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + HTML, "not a picture"),
    "JPEG header then HTML": ("poly.jpg", jpeg_header() + HTML, "not a picture"),
    "zip bomb named .png": ("bomb.png", None, "not a picture"),
    "100 megapixels": ("huge.png", None, "has too many pixels"),
    "HTML named .png": ("page.png", HTML, "not a picture"),
}


@pytest.mark.parametrize("what", REFUSED_UPLOADS)
def test_a_hostile_image_is_refused_with_a_message_naming_the_file(client, draft, officer, what, settings):
    name, data, words = REFUSED_UPLOADS[what]
    data = (
        data
        if data is not None
        else {"zip bomb named .png": zip_bomb, "100 megapixels": png_100_megapixels}[what]()
    )
    client.force_login(officer)
    images_before = draft.images.count()

    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]),
        {
            "title": "上传时输入的标题",
            "images": [SimpleUploadedFile(name, data, "image/png")],
            "action": "save",
        },
        **EN,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and f"“{name}”" in page and words in page
    assert draft.images.count() == images_before
    draft.refresh_from_db()
    assert draft.title == "上传时输入的标题"
    assert stored_files(settings) == files_of(draft)


def test_a_polyglot_png_with_a_script_is_kept_only_as_its_pixels(client, draft, officer, settings):
    polyglot = factories.png_bytes() + HTML
    client.force_login(officer)
    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]),
        {"images": [SimpleUploadedFile("poly.png", polyglot, "image/png")], "action": "save"},
    )
    assert response.status_code == 302
    image = draft.images.order_by("-pk").first()
    with image.image.open("rb") as stored:
        data = stored.read()
    assert b"<script" not in data and b"<html" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"


# Names a browser (or a crafted request) may send; the multipart parser and govcases.uploads both get a say.
HOSTILE_NAMES = {
    "parent directories": "../../etc/passwd.png",
    "absolute path": "/etc/cron.d/evil.png",
    "backslashes": "..\\..\\windows\\system32\\evil.png",
    "NUL in the name": "evil.png\x00.html",
    "markup in the name": '<img src=x onerror=alert(1)>".png',
    "right-to-left override": "\u202egnp.exe",
}


def files_under(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def stored_files(settings) -> set[str]:
    return files_under(settings.MEDIA_ROOT) if settings.MEDIA_ROOT.exists() else set()


def files_of(case: Case) -> set[str]:
    images = CaseImage.objects.filter(case=case)
    names = {image.image.name for image in images} | {image.thumbnail.name for image in images}
    return names | {attachment.file.name for attachment in case.attachments.all()}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_file_name_is_stored_under_a_generated_name_inside_media(
    client, draft, officer, name, settings, tmp_path
):
    outside_before = files_under(tmp_path) - {f"media/{path}" for path in stored_files(settings)}
    client.force_login(officer)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]),
        {
            "images": [SimpleUploadedFile(name, factories.png_bytes(), "image/png")],
            "attachments": [SimpleUploadedFile(name.replace(".png", ".pdf"), pdf, "application/pdf")],
            "action": "save",
        },
    )

    assert response.status_code == 302
    image = draft.images.order_by("-pk").first()
    attachment = draft.attachments.get()
    for stored in (image.image.name, image.thumbnail.name, attachment.file.name):
        assert stored.startswith("cases/") and ".." not in stored and "\\" not in stored
        assert "evil" not in stored and "passwd" not in stored and "\u202e" not in stored
    # Every file is inside MEDIA_ROOT and belongs to the case; nothing was written beside it.
    assert stored_files(settings) == files_of(draft)
    assert files_under(tmp_path) - {f"media/{path}" for path in stored_files(settings)} == outside_before
    # The name shown to people is a name, not a path, and is shown as text.
    assert "/" not in attachment.name and "\\" not in attachment.name and "\x00" not in attachment.name
    for url in (reverse("portal:case", args=[draft.pk]), reverse("portal:case_edit", args=[draft.pk])):
        page = client.get(url).content.decode()
        assert "<img src=x" not in page
        if attachment.name in page or escape(attachment.name) in page:
            shown_as_text(page, attachment.name)


# --- a NUL character in a search box ------------------------------------------------------------------------
# PostgreSQL refuses a NUL in any string it is sent; a search must answer, not fail with a server error.


def changelists(site: str) -> list[str]:
    return [
        "/" + route.route
        for route in walk()
        if route.site == site and route.name.endswith("_changelist") and "<" not in route.route
    ]


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "province=%00", "category=%00&year=%00", "page=%00"])
def test_a_nul_in_the_public_search_is_not_a_server_error(client, db, query):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200


def test_a_nul_in_an_admin_search_is_not_a_server_error(client, organiser, reviewer):
    client.force_login(organiser)
    for url in changelists("admin"):
        response = client.get(url, {"q": "政务\x00"})
        assert response.status_code in {200, 403}, url  # 403: Django's own auth and axes admins
    client.force_login(reviewer)
    for url in changelists("review"):
        assert client.get(url, {"q": "政务\x00"}).status_code == 200, url


# --- the organisers' reasons on the selection board ---------------------------------------------------------


@pytest.fixture
def selection_board(organiser):
    """2024 in selection with one seat in 公开解读 and two scored cases: choosing the second needs a reason."""
    reviewers = [factories.ReviewerFactory() for _ in range(2)]
    round = selection_round([1, 0, 0, 0])
    first = scored_case(round, "disclosure", [90, 91], reviewers, title="第一名")
    second = scored_case(round, "disclosure", [70, 71], reviewers, title="第二名")
    return round, first, second, reverse("admin:reviews_selectionboard_change", args=[round.pk])


@pytest.mark.parametrize("payload", [*PAYLOADS.values(), LONG], ids=[*PAYLOADS.keys(), "10,000 characters"])
def test_a_hostile_selection_reason_is_stored_as_typed_and_shown_as_text(
    client, organiser, selection_board, payload
):
    round, first, second, url = selection_board
    client.force_login(organiser)

    response = client.post(url, {"action": "select", "case": second.pk, "reason": payload})

    assert response.status_code == 302
    assert SelectionDecision.objects.get(case=second).reason == payload.strip()
    shown_as_text(client.get(url).content.decode(), payload.strip())


@pytest.mark.parametrize("action", ["select", "publish", "reopen"])
def test_a_nul_in_a_selection_board_reason_is_not_a_server_error(client, organiser, selection_board, action):
    round, first, second, url = selection_board
    client.force_login(organiser)
    if action == "reopen":
        selection_propose(round=round, by=organiser)
        round_publish(
            round=round, by=organiser, override=True, reason="测试准备"
        )  # a correction starts from a published round
    elif action == "publish":
        client.post(url, {"action": "select", "case": first.pk, "reason": ""})

    response = client.post(url, {"action": action, "case": second.pk, "reason": "理由\x00注入"}, **EN)

    assert response.status_code == 302
    page = client.get(url, **EN).content.decode()
    assert "Null characters are not allowed." in page and "\x00" not in page
    stored = [
        *SelectionDecision.objects.values_list("reason", flat=True),
        *Publication.objects.values_list("reason", flat=True),
        *RoundPhaseChange.objects.values_list("reason", flat=True),
    ]
    assert not any("\x00" in reason for reason in stored)


# --- ids that are not ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1 OR 1=1", "²", "-1", "9" * 30])
def test_a_crafted_image_button_is_not_a_server_error(client, draft, officer, value):
    """ "²" passes str.isdigit() but not int(): a crafted button value must not be a server error."""
    client.force_login(officer)
    images = draft.images.count()
    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]), {"title": draft.title, "image_remove": value}
    )
    assert response.status_code in {302, 404}
    assert draft.images.count() == images


@pytest.mark.parametrize("value", ["abc", "1 OR 1=1", "²", "", "9" * 30])
def test_a_crafted_case_on_the_selection_board_is_refused_with_a_message(
    client, organiser, selection_board, value
):
    round, first, second, url = selection_board
    client.force_login(organiser)
    response = client.post(url, {"action": "select", "case": value, "reason": "理由"}, **EN)
    assert response.status_code == 302
    assert "No such case in this round." in client.get(url, **EN).content.decode()
    assert not SelectionDecision.objects.filter(selected=True).exists()


@pytest.mark.parametrize("version", ["²", "x", "1 OR 1=1", "-1", "9" * 30])
@pytest.mark.parametrize("page", ["results", "results.json", "results.csv", "results.xlsx", "stats"])
def test_a_crafted_version_of_the_results_is_not_found(client, round_, organiser, version, page):
    round_.phase = Phase.SELECTION
    round_.save()
    publication_create(round=round_, selected=[], by=organiser, override=True, reason="测试准备")
    url = {
        "results": f"/results/{round_.year}/",
        "stats": f"/results/{round_.year}/stats/",
    }.get(page, f"/{page.replace('results', f'results/{round_.year}')}")
    assert client.get(url).status_code == 200
    assert client.get(url, {"version": version}).status_code == 404
