"""The home screen: what a subscriber's first screen shows, in one answer."""

from __future__ import annotations

from pydantic import Field

from service.errors import Problem
from service.schemas.common import Schema
from service.schemas.home_sections import HomeSection
from service.schemas.queues import QueuePage
from service.schemas.rentals import RentalEntry, RentalPage
from service.schemas.titles import TitlePage
from service.schemas.users import User


class HomeScreen(Schema):
    """The sections asked for; a section that failed is null and has its problem in `problems`.

    A section that was not asked for is null too, without a problem.
    """

    profile: User | None = Field(None, description="The subscriber's profile.")
    disc_queue: QueuePage | None = Field(None, description="First page of the disc queue.")
    instant_queue: QueuePage | None = Field(None, description="First page of the instant queue.")
    at_home: list[RentalEntry] | None = Field(None, description="Discs at home.")
    rental_history: RentalPage | None = Field(
        None, description="Most recent page of the rental history."
    )
    recommendations: TitlePage | None = Field(None, description="First page of recommendations.")
    problems: dict[HomeSection, Problem] = Field(
        default_factory=dict,
        description="The problem document of each section that failed, by section name; the "
        "other sections are served.",
    )
