"""Backup and restore: a published round survives a round trip through the archive, byte for byte."""

import tarfile

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from govcases.backup import backed_up_models
from govcases.enums import CaseStatus, Phase
from govcases.models import Case, CaseImage, Publication, PublishedCase
from govcases.services import case_submit, publication_create, round_phase_set
from reviews.enums import ReviewStatus
from reviews.models import Score
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def published_round():
    """A round taken through submission, review and publication, with images, reviews and a snapshot."""
    round_ = factories.RoundFactory(year=2024)
    organiser = factories.OrganiserFactory()
    parent = factories.AgencyFactory(name="广东省人民政府办公厅", display_name="广东", level="province")
    officers = [factories.AgencyMemberFactory(agency__parent=parent).user for _ in range(3)]
    cases = []
    for officer in officers:
        case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, images=2)
        cases.append(case_submit(case=case, by=officer))
    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")
    category = cases[0].category
    criteria = factories.rubric(round_, category)
    reviewers = [factories.ReviewerFactory() for _ in range(2)]
    for case in cases:
        for reviewer in reviewers:
            review = factories.ReviewFactory(
                assignment__case=case, assignment__reviewer=reviewer, status=ReviewStatus.SUBMITTED
            )
            Score.objects.bulk_create(
                Score(review=review, criterion=criterion, points=criterion.max_points - 3)
                for criterion in criteria
            )
    round_phase_set(round=round_, to=Phase.SELECTION, by=organiser, override=True, reason="测试准备")
    publication = publication_create(
        round=round_, selected=cases[:2], by=organiser, reason="首次发布", override=True
    )
    return round_, publication


def snapshot():
    """Every backed-up row as plain values (with primary keys), plus every media file's bytes."""
    rows = {
        model._meta.label_lower: sorted(model._base_manager.values_list(), key=repr)
        for model in backed_up_models()
    }
    files = {}
    for image in CaseImage.objects.all():
        for field in (image.image, image.thumbnail):
            with default_storage.open(field.name, "rb") as stream:
                files[field.name] = stream.read()
    return rows, files


def test_a_published_round_is_restored_exactly_into_an_empty_database(tmp_path, settings):
    round_, publication = published_round()
    before_rows, before_files = snapshot()
    published_before = list(PublishedCase.objects.filter(publication=publication).values())
    assert len(published_before) == 2
    assert len(before_files) == 12  # three cases with two images and two thumbnails each
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", str(archive))

    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "fresh-media"  # a new, empty media storage
    assert not Case.objects.exists()
    call_command("restore", str(archive))

    after_rows, after_files = snapshot()
    assert {label: len(rows) for label, rows in after_rows.items()} == {
        label: len(rows) for label, rows in before_rows.items()
    }
    assert after_rows == before_rows  # every row, with its primary key
    assert after_files == before_files  # every image, byte for byte
    assert list(PublishedCase.objects.filter(publication=publication).values()) == published_before
    assert Publication.objects.get().round.phase == Phase.PUBLISHED
    assert set(Case.objects.values_list("status", flat=True)) == {
        CaseStatus.PUBLISHED,
        CaseStatus.NOT_SELECTED,
    }


def test_new_rows_after_a_restore_get_fresh_primary_keys(tmp_path):
    """On PostgreSQL the sequences must move past the restored keys, or the next insert collides."""
    published_round()
    highest = Case.objects.order_by("-pk").first().pk
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(archive))

    round_ = factories.RoundFactory(year=2025)
    assert factories.CaseFactory(round=round_).pk > highest


def test_the_archive_holds_the_data_the_manifest_and_every_media_file(tmp_path):
    published_round()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))

    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
    media = {f"media/{image.image.name}" for image in CaseImage.objects.all()}
    assert {"manifest.json", "data.json"} <= names
    assert media <= names


def test_restore_refuses_a_database_that_holds_data_unless_forced(tmp_path):
    published_round()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    cases = Case.objects.count()

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))

    factories.CaseFactory(round=factories.RoundFactory(year=2030))
    call_command("restore", str(archive), force=True)
    assert Case.objects.count() == cases  # the extra case is gone: the archive replaced the data


def test_a_fresh_database_with_only_its_role_groups_counts_as_empty(tmp_path):
    """migrate seeds the role groups; restoring over them must work without --force."""
    published_round()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    call_command("flush", interactive=False, verbosity=0)
    for name in ("agencies", "reviewers", "organisers"):
        Group.objects.create(name=name)

    call_command("restore", str(archive))

    assert Group.objects.filter(name="organisers").get().user_set.exists()


def test_restore_refuses_an_archive_with_a_path_that_escapes_the_media_root(tmp_path):
    published_round()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(hostile, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member)
            if member.name.startswith("media/"):
                member.name = "media/../../escaped.png"
            target.addfile(member, content)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(CommandError, match="Unsafe member"):
        call_command("restore", str(hostile))
    assert not (tmp_path / "escaped.png").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a govcases backup"):
        call_command("restore", str(not_a_backup))


def test_every_model_of_both_apps_is_in_the_backup():
    labels = {model._meta.label_lower for model in backed_up_models()}
    for app in ("govcases", "reviews", "auth"):
        for model in apps.get_app_config(app).get_models():
            if not model._meta.proxy and model._meta.label_lower != "auth.permission":
                assert model._meta.label_lower in labels
