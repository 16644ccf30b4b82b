"""The sign-in page a subscriber sees at `login_url`: pick a demo account, allow or deny."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

_STYLE = """
body{font-family:system-ui,sans-serif;background:#141414;color:#eee;margin:0}
main{max-width:28rem;margin:4rem auto;padding:2rem;background:#222;border-radius:8px}
h1{color:#e50914;font-size:1.6rem;margin-top:0}
label{display:block;padding:.5rem;margin:.25rem 0;background:#2d2d2d;border-radius:4px}
button{font-size:1rem;padding:.6rem 1.2rem;margin:1rem .5rem 0 0;border:0;border-radius:4px}
.allow{background:#e50914;color:#fff}
code{background:#000;padding:.3rem .5rem;border-radius:4px;font-size:1.2rem}
small{color:#999}
"""


class Account(Protocol):
    """What the page shows of a subscriber."""

    @property
    def user_id(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def nickname(self) -> str: ...


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def render_login(
    *, application_name: str, hidden: dict[str, str], accounts: Sequence[Account], action: str
) -> str:
    """The approval form; `hidden` carries the request token and callback through the POST."""
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    choices = "".join(
        f'<label><input type="radio" name="user_id" value="{escape(a.user_id)}"'
        f"{' checked' if i == 0 else ''}> {escape(a.first_name)} {escape(a.last_name)} "
        f"<small>({escape(a.nickname)})</small></label>"
        for i, a in enumerate(accounts)
    )
    body = (
        f"<h1>Netflix</h1><p><strong>{escape(application_name)}</strong> would like to "
        f'access your Netflix account.</p><form method="post" action="{escape(action)}">'
        f"{fields}<fieldset><legend>Sign in as</legend>{choices}</fieldset>"
        f'<button class="allow" name="decision" value="allow">Allow access</button>'
        f'<button name="decision" value="deny">Deny</button></form>'
    )
    return _page("Netflix - Sign in", body)


def render_verifier(*, application_name: str, verifier: str) -> str:
    """Shown when the application gave no callback: the subscriber copies the verifier."""
    body = (
        f"<h1>Access allowed</h1><p>Give this code to <strong>{escape(application_name)}"
        f"</strong>:</p><p><code>{escape(verifier)}</code></p>"
    )
    return _page("Netflix - Access allowed", body)


def render_denied(*, application_name: str) -> str:
    """Shown after the subscriber declined."""
    body = (
        f"<h1>Access denied</h1><p><strong>{escape(application_name)}</strong> was not "
        f"given access to your account.</p>"
    )
    return _page("Netflix - Access denied", body)
