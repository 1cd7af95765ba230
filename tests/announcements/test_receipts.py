"""Read and acknowledgement tracking, reminders, and the banner that stays until
acknowledged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attain.announcements import selectors, services
from attain.announcements.models import Receipt
from tests.web.conftest import TODAY

pytestmark = pytest.mark.django_db


def lists(announcement):
    t = selectors.tracking(announcement, TODAY)
    as_names = lambda rows: {r.user.username for r in rows}  # noqa: E731
    return as_names(t.opened), as_names(t.unread), as_names(t.acknowledged)


def test_opening_and_acknowledging_are_recorded_with_their_time(ann_org):
    a, will = ann_org.announcement, ann_org.users["will"]
    assert lists(a) == (set(), {"wendy", "will"}, set())
    assert services.mark_opened(a, user=will)
    first_open = Receipt.objects.get(announcement=a, user=will).opened_at
    services.mark_opened(a, user=will)
    assert Receipt.objects.get(announcement=a, user=will).opened_at == first_open
    assert lists(a) == ({"will"}, {"wendy"}, set())

    receipt = services.acknowledge(a, user=will)
    assert receipt.acknowledged_at is not None and receipt.acknowledged_at >= first_open
    again = services.acknowledge(a, user=will)
    assert again.acknowledged_at == receipt.acknowledged_at  # the first time stays
    assert lists(a) == ({"will"}, {"wendy"}, {"will"})


def test_acknowledging_without_opening_counts_as_opened(ann_org):
    a = ann_org.announcement
    services.acknowledge(a, user=ann_org.users["wendy"])
    assert lists(a) == ({"wendy"}, {"will"}, {"wendy"})


@pytest.mark.parametrize("username", ["eddie", "erin", "finance", "admin", "walt"])
def test_only_recipients_acknowledge_and_are_counted(ann_org, username):
    a, user = ann_org.announcement, ann_org.users[username]
    with pytest.raises(PermissionDenied):
        services.acknowledge(a, user=user)
    assert services.mark_opened(a, user=user) is False
    assert not Receipt.objects.filter(user=user).exists()


def test_reminder_goes_to_those_who_have_not_acknowledged(ann_org):
    a = ann_org.announcement
    services.acknowledge(a, user=ann_org.users["will"])
    with pytest.raises(PermissionDenied):
        services.send_reminder(a, by=ann_org.users["will"])
    reminder = services.send_reminder(a, by=ann_org.users["walt"])
    assert {u.username for u in reminder.recipients.all()} == {"wendy"}
    rows = {r.user.username: r for r in selectors.tracking(a, TODAY).rows}
    assert rows["wendy"].reminded_at == reminder.sent_at and rows["will"].reminded_at is None
    pending = selectors.pending_for(ann_org.users["wendy"], TODAY).get()
    assert pending.reminded_at == reminder.sent_at
    services.acknowledge(a, user=ann_org.users["wendy"])
    with pytest.raises(ValidationError, match="no one to remind"):
        services.send_reminder(a, by=ann_org.users["walt"])


def test_banner_on_every_page_until_acknowledged(client, ann_org):
    a = ann_org.announcement
    ann_org.login(client, "will")
    for url in [reverse("home"), reverse("sales:deal_list"), reverse("announcements:list")]:
        html = client.get(url).content.decode()
        assert 'data-testid="announcement-banner"' in html, url
        assert a.title in html
    # Not repeated on the announcement's own page, which has its own acknowledge button.
    detail = client.get(reverse("announcements:detail", args=[a.pk])).content.decode()
    assert 'data-testid="announcement-banner"' not in detail
    assert "I have read and understood this" in detail
    response = client.post(reverse("announcements:acknowledge", args=[a.pk]))
    assert response.status_code == 302
    assert "announcement-banner" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("username", ["eddie", "walt", "finance", "admin"])
def test_no_banner_for_those_outside_the_audience(client, ann_org, username):
    ann_org.login(client, username)
    assert "announcement-banner" not in client.get(reverse("home")).content.decode()


def test_banner_shows_the_reminder(client, ann_org):
    services.send_reminder(ann_org.announcement, by=ann_org.users["walt"])
    ann_org.login(client, "wendy")
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="banner-reminder"' in html and "Reminder sent" in html


def test_opening_the_page_marks_it_read_and_the_author_sees_it(client, ann_org):
    a = ann_org.announcement
    ann_org.login(client, "wendy")
    client.get(reverse("announcements:detail", args=[a.pk]))
    client.logout()
    ann_org.login(client, "walt")
    page = client.get(reverse("announcements:readers", args=[a.pk]))
    rows = {r.user.username: r for r in page.context["tracking"].rows}
    assert rows["wendy"].opened_at is not None and rows["wendy"].acknowledged_at is None
    assert rows["will"].opened_at is None
    # The author's visit to the page is not a read receipt.
    client.get(reverse("announcements:detail", args=[a.pk]))
    assert not Receipt.objects.filter(user=ann_org.users["walt"]).exists()


def test_remind_button_records_a_reminder_and_sends_no_mail(client, ann_org, mailoutbox):
    ann_org.login(client, "walt")
    response = client.post(reverse("announcements:remind", args=[ann_org.announcement.pk]))
    assert response.status_code == 302
    assert ann_org.announcement.reminders.get().recipients.count() == 2
    assert mailoutbox == []
