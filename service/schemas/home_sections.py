"""The sections of the home screen, apart so that input patterns can name them (no cycle)."""

from __future__ import annotations

from enum import StrEnum


class HomeSection(StrEnum):
    """One part of the home screen; each costs one upstream call."""

    PROFILE = "profile"
    DISC_QUEUE = "disc_queue"
    INSTANT_QUEUE = "instant_queue"
    AT_HOME = "at_home"
    RENTAL_HISTORY = "rental_history"
    RECOMMENDATIONS = "recommendations"
