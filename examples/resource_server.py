#!/usr/bin/env python3
"""A resource server that verifies latchkey access tokens offline.

It holds no secret: it fetches latchkey's public keys once (JWKS) and checks each bearer
token's signature, expiry, issuer and audience locally with PyJWT. A token signed by a key it
has not seen yet (after `latchkey keys rotate`) makes PyJWKClient fetch the key set again.

    apt-get install python3-jwt            # PyJWT 2.x with cryptography
    latchkey --jwt-algorithm ES256 &       # tokens signed with a P-256 key, listed at JWKS
    python3 examples/resource_server.py --jwks-url http://127.0.0.1:8000/.well-known/jwks.json
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8001/whoami

GET /whoami answers 200 {"sub", "email", "role", "session_id", "kid"} for a valid token and
401 {"error": ...} for anything else.
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

# Asymmetric algorithms only: a resource server must never accept HS256, whose key it does not
# have (and must not have), nor let a token's header pick an algorithm the key was not made for.
ALGORITHMS = ["ES256", "RS256"]


def make_handler(jwks: jwt.PyJWKClient, issuer: str, audience: str):
    class Handler(BaseHTTPRequestHandler):
        def reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path != "/whoami":
                return self.reply(404, {"error": "not found"})
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return self.reply(401, {"error": "missing bearer token"})
            token = auth[len("Bearer "):]
            try:
                key = jwks.get_signing_key_from_jwt(token)
                claims = jwt.decode(token, key.key, algorithms=ALGORITHMS, issuer=issuer,
                                    audience=audience,
                                    options={"require": ["exp", "iat", "sub"]})
            except (jwt.PyJWTError, jwt.PyJWKClientError) as e:
                return self.reply(401, {"error": type(e).__name__})
            self.reply(200, {"sub": claims["sub"], "email": claims.get("email"),
                             "role": claims.get("role"),
                             "session_id": claims.get("session_id"),
                             "kid": jwt.get_unverified_header(token).get("kid")})

        def log_message(self, *args) -> None:
            pass

    return Handler


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jwks-url", required=True)
    p.add_argument("--issuer", default="latchkey")
    p.add_argument("--audience", default="authenticated")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    a = p.parse_args()
    jwks = jwt.PyJWKClient(a.jwks_url, cache_keys=True)
    server = ThreadingHTTPServer((a.host, a.port), make_handler(jwks, a.issuer, a.audience))
    print(f"listening on {server.server_address[1]}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
