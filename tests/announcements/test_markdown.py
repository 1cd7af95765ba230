"""Markdown is rendered and sanitised with an allow-list: nothing a writer or an asker types
can run script in a reader's browser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from attain.announcements import services
from attain.announcements.markdown import render_markdown, sanitise_html
from tests.announcements.conftest import publish_new

ATTACKS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://evil.example.com"></iframe>',
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class Elements(HTMLParser):
    """Every element and attribute in a fragment, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_active_content_survives(attack):
    html = render_markdown(f"Before\n\n{attack}\n\nafter")
    for tag, attrs in Elements(html).found:
        assert tag in {"p", "a"}, html
        assert not [name for name in attrs if name.startswith("on") or name == "style"], html
        assert not attrs.get("href", "").lower().startswith(("javascript:", "data:")), html


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_sanitiser_alone_strips_active_content(attack):
    """The second line of defence, on raw HTML as if the renderer had let it through."""
    html = sanitise_html(f"<p>Before</p>{attack}<p>after</p>")
    for tag, attrs in Elements(html).found:
        assert tag in {"p", "a"}, html
        assert not [name for name in attrs if name.startswith("on") or name == "style"], html
        assert not attrs.get("href", "").lower().startswith(("javascript:", "data:")), html
    assert "alert('x')" not in html  # a script's text is dropped with it


def test_markdown_formatting_is_kept():
    html = render_markdown(
        "**Bold** and *em*\n\n- one\n- two\n\n[Plan](https://plans.example.com/q3)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<strong>Bold</strong>" in html and "<em>em</em>" in html
    assert "<ul>" in html and "<li>two</li>" in html
    assert 'href="https://plans.example.com/q3"' in html and 'rel="noopener' in html
    assert "<td>1</td>" in html


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("Use <b>this</b> & that")
    assert "&lt;b&gt;this&lt;/b&gt;" in html and "&amp; that" in html


@pytest.mark.django_db
def test_a_hostile_body_and_question_are_inert_on_the_page(client, web_org):
    announcement = publish_new(
        web_org.users["walt"],
        team=web_org.teams["west"],
        why="<script>document.title='pwned'</script>",
        priorities='<img src=x onerror="document.title=1">',
    )
    services.ask_question(
        announcement,
        user=web_org.users["will"],
        body="<script>alert('q')</script><img src=x onerror=alert(2)>",
        visibility="audience",
    )
    web_org.login(client, "wendy")
    html = client.get(reverse("announcements:detail", args=[announcement.pk])).content.decode()
    assert "<script>document.title" not in html and "<script>alert('q')" not in html
    assert "<img src=x" not in html and '<img src="x"' not in html
    assert "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in html
