"""Every announcement page × every role. Walt (manager of West) wrote the announcement to
his team: will is a rep in the audience, eddie a rep outside it, erin another manager.

Records outside what a user may see answer 404 (ids do not leak); a visible announcement the
user may not manage answers 403; the new-announcement form is 403 to rep and finance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.announcements import services
from tests.announcements.conftest import draft

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep_in", "rep_out", "author", "other_manager", "finance", "admin"]
LOGIN = {
    "rep_in": "will",
    "rep_out": "eddie",
    "author": "walt",
    "other_manager": "erin",
    "finance": "finance",
    "admin": "admin",
}


def expect(rep_in, rep_out, author, other_manager, finance, admin):
    return dict(
        zip(ROLES[1:], [rep_in, rep_out, author, other_manager, finance, admin], strict=True)
    )


def url(name, key=None):
    def build(org):
        if key is None:
            return reverse(f"announcements:{name}")
        return reverse(f"announcements:{name}", args=[getattr(org, key).pk])

    return build


# fmt: off
PAGES = [
    ("list", url("list"), expect(200, 200, 200, 200, 200, 200)),
    ("new", url("new"), expect(403, 403, 200, 200, 403, 200)),
    ("published", url("detail", "announcement"), expect(200, 404, 200, 404, 404, 200)),
    ("readers", url("readers", "announcement"), expect(403, 404, 200, 404, 404, 200)),
    ("draft", url("detail", "draft"), expect(404, 404, 200, 404, 404, 200)),
    ("edit draft", url("edit", "draft"), expect(404, 404, 200, 404, 404, 403)),
    ("edit published", url("edit", "announcement"), expect(403, 404, 302, 404, 404, 403)),
]
POSTS = [
    ("acknowledge", url("acknowledge", "announcement"), expect(302, 404, 403, 404, 404, 403)),
    ("remind", url("remind", "announcement"), expect(403, 404, 302, 404, 404, 403)),
    ("publish draft", url("publish", "draft"), expect(404, 404, 302, 404, 404, 403)),
    ("ask", url("ask", "announcement"), expect(302, 404, 403, 404, 404, 403)),
    ("answer", url("answer", "question"), expect(403, 404, 302, 404, 404, 403)),
]
# fmt: on


@pytest.fixture
def perm_org(ann_org):
    walt = ann_org.users["walt"]
    ann_org.draft = services.create_draft(author=walt, draft=draft(team=ann_org.teams["west"]))
    ann_org.question = services.ask_question(
        ann_org.announcement, user=ann_org.users["wendy"], body="How?", visibility="audience"
    )
    return ann_org


def check(client, org, url, expected, role, method):
    if role != "anonymous":
        org.login(client, LOGIN[role])
    data = {"body": "Why?", "visibility": "audience", "answer": "Because."}
    response = client.post(url, data) if method == "post" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
        return
    assert response.status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_permissions(client, perm_org, page, url_for, expected, role):
    check(client, perm_org, url_for(perm_org), expected, role, "get")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "url_for", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_action_permissions(client, perm_org, action, url_for, expected, role):
    check(client, perm_org, url_for(perm_org), expected, role, "post")


def test_actions_are_post_only(client, perm_org):
    perm_org.login(client, "will")
    ack = reverse("announcements:acknowledge", args=[perm_org.announcement.pk])
    assert client.get(ack).status_code == 405


def test_a_manager_cannot_post_an_audience_outside_their_subtree(client, perm_org):
    perm_org.login(client, "walt")
    form = {
        "title": "East is mine now",
        "audience": "team",
        "team": perm_org.teams["east"].pk,
        "why": "x",
    }
    response = client.post(reverse("announcements:new"), form)
    assert response.status_code == 200  # the form again: East is not a choice for walt
    assert "team" in response.context["form"].errors
    everyone = {**form, "audience": "everyone"}
    assert "audience" in client.post(reverse("announcements:new"), everyone).context["form"].errors


def test_lists_show_each_role_what_is_theirs(client, perm_org):
    title = perm_org.announcement.title
    perm_org.login(client, "eddie")
    assert title not in client.get(reverse("announcements:list")).content.decode()
    client.logout()
    perm_org.login(client, "will")
    received = client.get(reverse("announcements:list")).context["received"]
    assert [a.title for a, _r in received] == [title]
    client.logout()
    perm_org.login(client, "admin")
    assert len(client.get(reverse("announcements:list")).context["others"]) == 2


def test_the_form_creates_a_draft_and_publish_sends_it(client, web_org):
    web_org.login(client, "walt")
    response = client.post(
        reverse("announcements:new"),
        {
            "title": "New focus",
            "audience": "team",
            "team": web_org.teams["west"].pk,
            "why": "Because **margin**.",
            "links": "Q3 quota | https://plans.example.com/q3\n",
        },
    )
    assert response.status_code == 302
    from attain.announcements.models import Announcement

    a = Announcement.objects.get(title="New focus")
    assert a.status == "draft" and a.links.get().title == "Q3 quota"
    client.post(reverse("announcements:publish", args=[a.pk]))
    a.refresh_from_db()
    assert a.is_published
    bad = client.post(
        reverse("announcements:new"),
        {
            "title": "x",
            "audience": "team",
            "team": web_org.teams["west"].pk,
            "links": "x | javascript:alert(1)",
        },
    )
    assert "Line 1" in str(bad.context["form"].errors["links"])
