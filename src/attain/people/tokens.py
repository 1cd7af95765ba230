"""Per-user API tokens: create (the key is shown once), authenticate, revoke."""

from __future__ import annotations

import secrets

from django.utils import timezone

from attain.people.models import ApiToken, User

TOKEN_PREFIX = "att_"


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain key, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(key), prefix=key[:8]
    )
    return token, key


def user_for_key(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
