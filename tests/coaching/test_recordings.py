"""Uploaded call recordings: validation, storage outside any public URL, the permission-checked
stream (with Range for seeking) and the player on the session page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attain.coaching import services
from attain.coaching.models import CallReview

pytestmark = pytest.mark.django_db
AUDIO = bytes(range(256)) * 4  # 1,024 bytes standing in for an mp3


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name="call.mp3", content=AUDIO, content_type="audio/mpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def recorded(coaching_org):
    org = coaching_org
    org.recorded = services.add_call_review(org.session, title="Pricing call", recording=upload())
    services.add_call_comment(
        org.recorded, at_seconds=95, text="Good pause here", author=org.users["walt"]
    )
    return org


def post_review(client, org, **data):
    url = reverse("coaching:review_add", args=[org.session.pk])
    return client.post(url, {"title": "Demo call", "link": "", **data}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_manager_uploads_and_the_page_plays_it(client, coaching_org, tmp_path):
    org = coaching_org
    org.login(client, "walt")
    response = post_review(client, org, recording=upload())
    assert messages_of(response) == ["Call added."]
    review = CallReview.objects.get(title="Demo call")
    assert review.link == "" and review.recording_name == "call.mp3"
    assert review.recording_type == "audio/mpeg" and review.recording_size == len(AUDIO)
    stored = tmp_path / "media" / review.recording.name
    assert stored.read_bytes() == AUDIO
    assert review.recording.name.startswith("coaching/recordings/")
    assert "call" not in review.recording.name  # a random name, not the uploader's
    page = response.content.decode()
    src = reverse("coaching:recording", args=[review.pk])
    assert f'<audio class="recording" id="recording-{review.pk}" controls' in page
    assert f'src="{src}"' in page
    assert "coaching/recordings.js" in page


def test_comment_timestamps_seek_the_player(client, recorded):
    recorded.login(client, "wendy")
    page = client.get(reverse("coaching:session_detail", args=[recorded.session.pk]))
    html = page.content.decode()
    rid = recorded.recorded.pk
    assert (
        f'<button type="button" class="badge seek" data-player="recording-{rid}" '
        f'data-seconds="95" title="Play from 1:35">1:35</button>'
    ) in html


def test_video_gets_a_video_player(client, coaching_org):
    org = coaching_org
    services.add_call_review(
        org.session, title="Zoom", recording=upload("zoom.mp4", content_type="video/mp4")
    )
    org.login(client, "walt")
    html = client.get(reverse("coaching:session_detail", args=[org.session.pk])).content.decode()
    assert '<video class="recording"' in html


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("wendy", 200),  # the rep
        ("will", 404),  # a peer
        ("walt", 200),  # her manager
        ("vera", 200),  # the VP above him
        ("erin", 404),  # another manager
        ("finance", 403),
        ("admin", 200),
    ],
)
def test_who_may_fetch_the_recording(client, recorded, role, expected):
    if role != "anonymous":
        recorded.login(client, role)
    response = client.get(reverse("coaching:recording", args=[recorded.recorded.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == AUDIO
        assert response["Content-Type"] == "audio/mpeg"
        assert response["Accept-Ranges"] == "bytes"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"] == 'inline; filename="call.mp3"'


def test_media_is_not_served_publicly(client, recorded):
    recorded.login(client, "wendy")
    assert client.get(f"/media/{recorded.recorded.recording.name}").status_code == 404


def test_a_review_without_upload_has_no_recording(client, coaching_org):
    coaching_org.login(client, "walt")
    url = reverse("coaching:recording", args=[coaching_org.review.pk])  # a link review
    assert client.get(url).status_code == 404
    assert client.get(reverse("coaching:recording", args=[99999])).status_code == 404


def test_ranges_for_seeking(client, recorded):
    recorded.login(client, "wendy")
    url = reverse("coaching:recording", args=[recorded.recorded.pk])
    part = client.get(url, headers={"Range": "bytes=2-5"})
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == AUDIO[2:6]
    assert part["Content-Range"] == f"bytes 2-5/{len(AUDIO)}" and part["Content-Length"] == "4"
    tail = client.get(url, headers={"Range": "bytes=-3"})
    assert b"".join(tail.streaming_content) == AUDIO[-3:]
    rest = client.get(url, headers={"Range": "bytes=1000-"})
    assert b"".join(rest.streaming_content) == AUDIO[1000:]
    beyond = client.get(url, headers={"Range": "bytes=5000-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(AUDIO)}"
    several = client.get(url, headers={"Range": "bytes=0-1,4-5"})  # not handled: whole file
    assert several.status_code == 200


@pytest.mark.parametrize(
    "data,message",
    [
        ({"recording": upload("notes.exe", b"MZ", "application/octet-stream")}, "is not an audio"),
        ({"recording": upload("call.mp3", b"<html>", "text/html")}, "does not match its .mp3"),
        ({"recording": upload("call.mp3", b"")}, "empty"),
        ({"recording": upload(), "link": "https://rec.example.com/1"}, "not both"),
        ({}, "Give a link to the recording or upload it"),
    ],
)
def test_upload_validation(client, coaching_org, data, message):
    coaching_org.login(client, "walt")
    before = CallReview.objects.count()
    response = post_review(client, coaching_org, **data)
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert CallReview.objects.count() == before


def test_size_limit(client, coaching_org, settings):
    settings.ATTAIN_MAX_RECORDING_BYTES = 1000
    coaching_org.login(client, "walt")
    response = post_review(client, coaching_org, recording=upload())
    assert any("recordings may be at most 1000" in m for m in messages_of(response))
    assert not CallReview.objects.filter(title="Demo call").exists()


def test_service_refuses_bad_files_too(coaching_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_call_review(
            coaching_org.session, title="x", recording=upload("x.txt", b"hi", "text/plain")
        )
    with pytest.raises(ValidationError):
        services.add_call_review(coaching_org.session, title="x")


@pytest.mark.parametrize("login,expected", [("wendy", 403), ("will", 404), ("erin", 404)])
def test_only_her_managers_upload(client, coaching_org, login, expected):
    coaching_org.login(client, login)
    url = reverse("coaching:review_add", args=[coaching_org.session.pk])
    response = client.post(url, {"title": "x", "recording": upload()})
    assert response.status_code == expected
    assert not CallReview.objects.filter(title="x").exists()
