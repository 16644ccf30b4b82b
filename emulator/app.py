"""Assembles one emulator instance: state, routes and middleware. Nothing runs at import."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette

from emulator.accounts import routes as account_routes
from emulator.accounts.state import Accounts
from emulator.catalog import routes as catalog_routes
from emulator.catalog.data import build_catalog
from emulator.config import EmulatorConfig
from emulator.context import EmulatorContext
from emulator.middleware import install_middleware
from emulator.oauth import routes as oauth_routes
from emulator.oauth.provider import OAuthProvider


def create_emulator(
    config: EmulatorConfig | None = None, *, clock: Callable[[], float] = time.time
) -> Starlette:
    """Build an emulator app; each call owns fresh, independent state."""
    config = config or EmulatorConfig()
    catalog = build_catalog(
        seed=config.seed, size=config.catalog_size, public_base=config.public_base
    )
    accounts = Accounts.seeded(catalog, config, clock)
    oauth = OAuthProvider(config, clock, accounts)
    context = EmulatorContext(config, clock, catalog, accounts, oauth)
    app = Starlette(
        routes=[
            *oauth_routes.routes(context),
            *catalog_routes.routes(context),
            *account_routes.routes(context),
        ]
    )
    # A trailing slash is a malformed URL: Netflix answered 404, never a redirect.
    app.router.redirect_slashes = False
    app.state.context = context
    install_middleware(app, context)
    return app
