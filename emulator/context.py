"""The state one emulator instance owns; handed to every resource module (no module globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from emulator.accounts.state import Accounts
    from emulator.catalog.data import Catalog
    from emulator.oauth.provider import OAuthProvider


@dataclass(slots=True)
class EmulatorContext:
    """Configuration, clock, catalog, subscriber accounts and the OAuth provider of one instance."""

    config: EmulatorConfig
    clock: Callable[[], float]
    catalog: Catalog
    accounts: Accounts
    oauth: OAuthProvider
