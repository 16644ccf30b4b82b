"""Subscriber accounts of the emulator: seeded demo users, their queues, ratings and rentals.

`state.Accounts` holds every subscriber of one emulator instance; `routes.routes(ctx)` serves
the protected `/users/...` resources over it.
"""

from __future__ import annotations
