import os

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from govcases.outbox import outbox_deliver_due
from reviews.selectors import board_ranking

from . import factories

# Property tests check what holds, never how fast: a machine busy with other work must not fail them
# (speed is measured in bench/).
hypothesis_settings.register_profile("govcases", deadline=None)
hypothesis_settings.load_profile("govcases")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (GOVCASES_NO_SKIP=1) a skipped test is a failure: a missing browser or database must not pass."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("GOVCASES_NO_SKIP") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {report.longrepr}"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English (the locale middleware activates its
    language for the thread) must not turn the next test's messages English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches: cached pages and rankings must not leak from one test to the next
    (a rolled-back test's round id is used again by the next one)."""
    cache.clear()
    board_ranking.cache_clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # WhiteNoise warns (an error here) when STATIC_ROOT is missing, as it is in a fresh checkout.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def deliver_mail(db):
    """Runs what the outbox worker runs (govcases.outbox.deliver) and returns the e-mails sent so far."""

    def deliver():
        outbox_deliver_due()
        return mail.outbox

    return deliver


@pytest.fixture
def round_(db):
    """The open round: submission phase, 2024 categories and quotas, deadline a week away."""
    return factories.RoundFactory(year=2024)


@pytest.fixture
def organiser(db):
    return factories.OrganiserFactory()


@pytest.fixture
def officer(db):
    """An agency officer of one agency (agency A)."""
    return factories.AgencyMemberFactory().user


@pytest.fixture
def other_officer(db):
    """An officer of another agency (agency B)."""
    return factories.AgencyMemberFactory().user


@pytest.fixture
def reviewer(round_):
    return factories.ReviewerFactory()
