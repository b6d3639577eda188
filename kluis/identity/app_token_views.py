"""The public keys that verify app tokens, as a JSON Web Key Set, for apps and gateways."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from kluis.identity import signing_keys


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    """Every key a valid token may name; cacheable for a few minutes (a verifier that
    meets a token with a kid it has not seen fetches the set again: a new key is in it
    from the moment it signs)."""
    if not signing_keys.jwks()["keys"]:
        signing_keys.signer()  # the first key, so the set is never empty
    response = JsonResponse(signing_keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Type"] = "application/jwk-set+json"
    return response
