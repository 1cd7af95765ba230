"""Shared plumbing for list pages: pagination and htmx live search."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 25
RESULTS_ID = "results"  # the element the filter form swaps (templates/includes/filters.html)


def page_of(
    request: HttpRequest, items: QuerySet | list, per_page: int = PAGE_SIZE, param: str = "page"
) -> Page:
    """The requested page (``?page=``, or ``param`` for a second list on the page);
    out-of-range or junk numbers give the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def render_list(
    request: HttpRequest, template: str, results_template: str, context: dict
) -> HttpResponse:
    """The whole page, or only its results block when htmx asks (live search).

    The page works without JavaScript: the filter form is a plain GET form.
    """
    htmx = getattr(request, "htmx", None)
    # Only the live search asks for #results; a history restore needs the whole page.
    partial = bool(htmx) and htmx.target == RESULTS_ID and not htmx.history_restore_request
    response = render(request, results_template if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
