"""Django admin: every model is registered, and every changelist opens for an admin."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

ATTAIN_APPS = ["people", "sales", "territories", "imports"]
MODELS = [m for label in ATTAIN_APPS for m in apps.get_app_config(label).get_models()]


def test_every_attain_model_is_registered():
    missing = [m.__name__ for m in MODELS if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_changelist_and_search_open_for_admin(client, web_org, model):
    web_org.login(client, "admin")
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "x"}).status_code == 200


def test_change_pages_open(client, web_org):
    web_org.login(client, "admin")
    for obj in [web_org.reps["will"], web_org.deals["will"][0], web_org.territories["west"]]:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
