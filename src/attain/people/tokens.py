"""Per-user API tokens: create (the key is shown once), authenticate, revoke."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db.models import Q, QuerySet
from django.utils import timezone

from attain.people.models import ApiToken, User

TOKEN_PREFIX = "att_"
# ``last_used_at`` is refreshed at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain key, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(key), prefix=key[:8]
    )
    return token, key


def user_for_key(key: str) -> User | None:
    """The active user a live (not revoked) key belongs to, else None."""
    key = (key or "").strip()
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones included, to show when they ended)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
