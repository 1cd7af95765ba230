"""The "API tokens" page: a user lists, creates and revokes their own tokens.

One URL (the lead wires it as ``people:tokens`` at ``/people/tokens/``): GET lists; POST
with ``action=create`` makes a token and shows its key once; POST with ``action=revoke``
ends one of the user's own tokens.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from attain.people.tokens import create_token, revoke_token, tokens_of

MAX_NAME = 100


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    context: dict = {"new_key": None, "name_error": None}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            name = request.POST.get("name", "").strip()
            if not name:
                context["name_error"] = "Give the token a name, e.g. the script that will use it."
            elif len(name) > MAX_NAME:
                context["name_error"] = f"Keep the name under {MAX_NAME} characters."
            else:
                token, key = create_token(request.user, name)
                # The key is shown in this response only; it is never stored or shown again.
                context.update(new_key=key, new_token=token)
        elif action == "revoke":
            token = tokens_of(request.user).filter(pk=request.POST.get("token") or 0).first()
            if token is None:
                raise Http404("no such token")
            revoke_token(token)
            messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
            return redirect(request.path)
        else:
            return redirect(request.path)
    context["tokens"] = tokens_of(request.user)
    response = render(request, "people/tokens.html", context)
    if context["new_key"]:
        response["Cache-Control"] = "no-store"
    return response
