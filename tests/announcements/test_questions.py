"""Question visibility: public questions for the whole audience, private ones for the asker
and the author only (not admins); answers by the author; the FAQ of answered public
questions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attain.announcements import selectors, services

pytestmark = pytest.mark.django_db

PUBLIC = "Does this change my accelerators?"
PRIVATE = "Will my current enterprise deal still count?"


@pytest.fixture
def asked(ann_org):
    a, users = ann_org.announcement, ann_org.users
    ann_org.public = services.ask_question(
        a, user=users["will"], body=PUBLIC, visibility="audience"
    )
    ann_org.private = services.ask_question(
        a, user=users["will"], body=PRIVATE, visibility="author"
    )
    return ann_org


def bodies(org, username):
    user = org.users[username]
    return {q.body for q in selectors.questions_visible_to(user, org.announcement)}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("will", {PUBLIC, PRIVATE}),  # the asker
        ("walt", {PUBLIC, PRIVATE}),  # the author
        ("wendy", {PUBLIC}),  # another recipient
        ("admin", {PUBLIC}),  # admins do not read private questions
    ],
)
def test_question_visibility(asked, username, expected):
    assert bodies(asked, username) == expected


@pytest.mark.parametrize("username", ["wendy", "admin", "eddie"])
def test_private_question_never_appears_on_other_peoples_pages(client, asked, username):
    asked.login(client, username)
    response = client.get(reverse("announcements:detail", args=[asked.announcement.pk]))
    assert PRIVATE not in response.content.decode()


@pytest.mark.parametrize("username", ["eddie", "erin", "finance", "admin", "walt"])
def test_only_recipients_ask(ann_org, username):
    with pytest.raises(PermissionDenied):
        services.ask_question(
            ann_org.announcement, user=ann_org.users[username], body="?", visibility="audience"
        )


def test_question_input_is_checked(ann_org):
    a, will = ann_org.announcement, ann_org.users["will"]
    with pytest.raises(ValidationError, match="Write your question"):
        services.ask_question(a, user=will, body="  ", visibility="audience")
    with pytest.raises(ValidationError, match="Unknown visibility"):
        services.ask_question(a, user=will, body="Why?", visibility="everyone")


@pytest.mark.parametrize("username", ["will", "wendy", "admin", "erin"])
def test_only_the_author_answers(asked, username):
    with pytest.raises(PermissionDenied):
        services.answer_question(asked.public, by=asked.users[username], answer="Yes")


def test_faq_forms_from_answered_public_questions(asked):
    a, walt = asked.announcement, asked.users["walt"]
    assert list(selectors.faq(a)) == []
    services.answer_question(asked.private, by=walt, answer="Yes, it still counts.")
    assert list(selectors.faq(a)) == []  # a private answer stays private
    services.answer_question(asked.public, by=walt, answer="No, accelerators are unchanged.")
    faq = list(selectors.faq(a))
    assert [(q.body, q.answer) for q in faq] == [(PUBLIC, "No, accelerators are unchanged.")]
    assert faq[0].is_answered and faq[0].answered_by == walt


def test_answered_questions_are_marked_on_the_page(client, asked):
    services.answer_question(asked.public, by=asked.users["walt"], answer="Unchanged.")
    asked.login(client, "wendy")
    html = client.get(reverse("announcements:detail", args=[asked.announcement.pk])).content
    html = html.decode()
    assert 'data-testid="faq"' in html
    assert html.count("badge answered") == 1 and "Awaiting answer" not in html


def test_ask_and_answer_through_the_pages(client, ann_org):
    a = ann_org.announcement
    ann_org.login(client, "wendy")
    response = client.post(
        reverse("announcements:ask", args=[a.pk]), {"body": "When?", "visibility": "author"}
    )
    assert response.status_code == 302
    question = a.questions.get()
    assert question.asked_by == ann_org.users["wendy"] and question.is_private
    # Another recipient may not answer: the private question is not there for them (404).
    client.logout()
    ann_org.login(client, "will")
    url = reverse("announcements:answer", args=[question.pk])
    assert client.post(url, {"answer": "Now"}).status_code == 404
    client.logout()
    ann_org.login(client, "walt")
    assert client.post(url, {"answer": "From 1 March."}).status_code == 302
    question.refresh_from_db()
    assert question.answer == "From 1 March." and question.is_answered
    # Someone who cannot see the announcement gets 404.
    client.logout()
    ann_org.login(client, "eddie")
    assert client.post(url, {"answer": "x"}).status_code == 404
