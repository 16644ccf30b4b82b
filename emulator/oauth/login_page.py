"""The sign-in pages a subscriber sees at `login_url`: email and password, then allow or deny.

Shaped like Netflix's: a form with fields `login` (the email) and `password`, then a page
asking to allow the application; the end pages say "successfully" or "failed" as clients
that scraped them expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

_STYLE = """
body{font-family:system-ui,sans-serif;background:#141414;color:#eee;margin:0}
main{max-width:28rem;margin:4rem auto;padding:2rem;background:#222;border-radius:8px}
h1{color:#e50914;font-size:1.6rem;margin-top:0}
label{display:block;padding:.5rem;margin:.25rem 0;background:#2d2d2d;border-radius:4px}
input{display:block;width:95%;margin-top:.3rem;padding:.4rem;font-size:1rem}
.error{color:#ff6b6b}
button{font-size:1rem;padding:.6rem 1.2rem;margin:1rem .5rem 0 0;border:0;border-radius:4px}
.allow{background:#e50914;color:#fff}
code{background:#000;padding:.3rem .5rem;border-radius:4px;font-size:1.2rem}
small{color:#999}
"""


class DemoAccount(Protocol):
    """What the page lists of a demo subscriber: published sign-in credentials."""

    @property
    def email(self) -> str: ...
    @property
    def password(self) -> str: ...


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _hidden(fields: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )


def render_login(
    *,
    application_name: str,
    hidden: dict[str, str],
    action: str,
    demo: Sequence[DemoAccount],
    login: str = "",
    error: str | None = None,
) -> str:
    """Step one, shaped like Netflix's: the subscriber's email (`login`) and `password`."""
    problem = f'<p class="error">{escape(error)}</p>' if error else ""
    hints = "".join(
        f"<li><code>{escape(a.email)}</code> / <code>{escape(a.password)}</code></li>" for a in demo
    )
    body = (
        f"<h1>Netflix</h1><p>Sign in to let <strong>{escape(application_name)}</strong> "
        f'use your Netflix account.</p>{problem}<form method="post" action="{escape(action)}">'
        f"{_hidden(hidden)}"
        f'<label>Email <input type="email" name="login" value="{escape(login)}" '
        f'autocomplete="username" required></label>'
        f'<label>Password <input type="password" name="password" '
        f'autocomplete="current-password" required></label>'
        f'<button class="allow" type="submit">Sign In</button></form>'
        f"<p><small>Demo subscribers of this emulator:</small></p><ul>{hints}</ul>"
    )
    return _page("Netflix - Sign in", body)


def render_approval(*, application_name: str, hidden: dict[str, str], action: str, who: str) -> str:
    """Step two: the signed-in subscriber allows or denies the application."""
    body = (
        f"<h1>Netflix</h1><p>Signed in as <strong>{escape(who)}</strong>.</p>"
        f"<p><strong>{escape(application_name)}</strong> would like to access your Netflix "
        f'account.</p><form method="post" action="{escape(action)}">{_hidden(hidden)}'
        f'<button class="allow" name="decision" value="allow">Allow access</button>'
        f'<button name="decision" value="deny">Deny</button></form>'
    )
    return _page("Netflix - Allow access", body)


def render_verifier(*, application_name: str, verifier: str) -> str:
    """Shown when the application gave no callback: success, and the verifier to copy."""
    body = (
        f"<h1>Success</h1><p>You have successfully authorized <strong>"
        f"{escape(application_name)}</strong> to access your Netflix account.</p>"
        f"<p>If the application asks for it, give it this code:</p>"
        f'<p>oauth_verifier: <code id="oauth_verifier">{escape(verifier)}</code></p>'
    )
    return _page("Netflix - Authorization successful", body)


def render_failed(*, application_name: str) -> str:
    """Shown after the subscriber denied an application that gave no callback."""
    body = (
        f"<h1>Authorization failed</h1><p>Authorization of <strong>"
        f"{escape(application_name)}</strong> failed: it was not given access to your "
        f"account.</p>"
    )
    return _page("Netflix - Authorization failed", body)
