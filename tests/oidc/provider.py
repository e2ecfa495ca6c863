"""A real OpenID Connect provider for Batline's end-to-end and browser tests.

It is oidc-provider-mock (PyPI, pinned in requirements.txt, installed by
scripts/test): discovery, a JWKS, the authorisation code flow with an HTML
form where the test types the subject, ID tokens signed RS256, and claims a
test sets per user with `PUT /users/<sub>`. Two additions, each something a
city's provider does and the mock does not:

- PKCE is enforced: a token request must carry the verifier whose S256
  challenge the authorisation request sent (the mock ignores PKCE), so the
  tests prove the console sends it right;
- `POST /_test/logout-token` signs a back-channel logout token with the
  provider's own key, the one its JWKS publishes (the mock sends none), for
  the test to deliver to the console as a provider would.

Usage: provider.py [token lifetime in seconds]. Listens on 127.0.0.1, on a
free port, and prints `listening http://127.0.0.1:<port>` once it serves.
"""

import base64
import hashlib
import os
import sys
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

# The issuer is http on loopback; authlib refuses http without this.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import flask  # noqa: E402
import oidc_provider_mock  # noqa: E402
import werkzeug.serving  # noqa: E402
from authlib.jose import jwt  # noqa: E402

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def build(token_lifetime: int) -> flask.Flask:
    app = oidc_provider_mock.app(
        require_nonce=True,
        issue_refresh_token=False,
        access_token_max_age=timedelta(seconds=token_lifetime),
    )
    challenges: dict[str, tuple[str | None, str | None]] = {}

    @app.after_request
    def remember_challenge(response: flask.Response) -> flask.Response:
        # The code is in the redirect the authorisation form answers with.
        if flask.request.path == "/oauth2/authorize" and response.status_code in (302, 303):
            query = parse_qs(urlparse(response.headers.get("Location", "")).query)
            for code in query.get("code", []):
                args = flask.request.args
                challenges[code] = (args.get("code_challenge"), args.get("code_challenge_method"))
        return response

    @app.before_request
    def check_verifier():
        form = flask.request.form
        if flask.request.path != "/oauth2/token" or form.get("grant_type") != "authorization_code":
            return None
        challenge, method = challenges.pop(form.get("code", ""), (None, None))
        verifier = form.get("code_verifier", "")
        if method != "S256" or not challenge or not verifier or s256(verifier) != challenge:
            return flask.jsonify(error="invalid_grant", error_description="PKCE (S256) verification failed"), 400
        return None

    @app.post("/_test/logout-token")
    def logout_token():
        body = flask.request.get_json(force=True)
        key = flask.g.oidc_provider_mock_storage.jwk
        public = key.as_dict()
        header = {"alg": "RS256", "typ": "logout+jwt"}
        if "kid" in public:
            header["kid"] = public["kid"]
        now = int(time.time())
        claims = {
            "iss": flask.request.host_url.rstrip("/"),
            "aud": body["aud"],
            "iat": now,
            "exp": now + 120,
            "jti": str(uuid.uuid4()),
            "events": {LOGOUT_EVENT: {}},
        }
        for name in ("sub", "sid"):
            if body.get(name):
                claims[name] = body[name]
        token = jwt.encode(header, claims, key.as_dict(is_private=True))
        return flask.jsonify(logout_token=token.decode("ascii"))

    return app


def main() -> None:
    lifetime = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
    server = werkzeug.serving.make_server("127.0.0.1", 0, build(lifetime), threaded=True)
    print(f"listening http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
