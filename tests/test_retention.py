"""Forgetting a contact or a student's whole log (the rules `/coffee forget` will call)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.cohorts import get_or_create_student
from bot.domain.errors import InvalidInput, NotAllowed, NotFound
from bot.domain.reflections import save_answers
from bot.domain.retention import forget_contact, forget_student
from bot.models import (
    Chat,
    Contact,
    Delivery,
    Enrollment,
    Outreach,
    Reflection,
    Student,
    Submission,
)
from tests.schedule_fixtures import TEAM, World, local

START = local("America/Denver", 2026, 9, 1)
SENT = local("America/Denver", 2026, 9, 8, 10)
NEXT_DAY = SENT + timedelta(hours=24)  # the thank-you reminders are due
MONDAY = local("America/Denver", 2026, 9, 14, 10)  # the follow-up of an unanswered attempt


def seed(world: World) -> int:
    """U0A tried Ada, Bob and Cy and chatted with Ada and Cy; U0B tried Dee. Reminders went out."""
    cohort_id = world.create_cohort(START, student_ids=["U0A", "U0B"])
    people = [("Ada Lovelace", "linkedin.com/in/ada-lovelace"), ("Bob Noyce", None)]
    world.outreach_many("U0A", [*people, ("Cy Twombly", None)], SENT)
    world.chat("U0A", "Ada Lovelace", SENT, "linkedin.com/in/ada-lovelace")
    world.chat("U0A", "Cy Twombly", SENT)
    world.outreach("U0B", "Dee Hock", SENT)
    with world.session() as session:
        enrollment = enrollment_of(world, session, "U0A", cohort_id)
        save_answers(session, enrollment, {"experience": "Hard at first."}, SENT)
    world.run(NEXT_DAY)
    world.run(MONDAY)
    return cohort_id


def enrollment_of(world: World, session: Session, user: str, cohort_id: int) -> Enrollment:
    student = world.student(session, user)
    return session.scalars(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort_id, Enrollment.student_id == student.id
        )
    ).one()


def kinds_for(world: World, user: str) -> list[str]:
    """The kinds (and subjects) of the deliveries recorded for a student."""
    with world.session() as session:
        student = world.student(session, user)
        rows = session.scalars(select(Delivery).where(Delivery.student_id == student.id))
        return sorted(f"{d.kind} {d.period}".strip() for d in rows)


def names_of(world: World, user: str) -> list[str]:
    with world.session() as session:
        student = world.student(session, user)
        return sorted(session.scalars(select(Contact.name).where(Contact.student_id == student.id)))


def test_forgetting_a_contact_deletes_it_and_all_logged_about_it(world: World) -> None:
    seed(world)
    with world.session() as session:
        ada = session.scalars(select(Contact).where(Contact.name == "Ada Lovelace")).one()
        assert ada.chat is not None and ada.outreach is not None
        chat_id, outreach_id = ada.chat.id, ada.outreach.id
    assert f"thank-you chat-{chat_id}" in kinds_for(world, "U0A")

    with world.session() as session:
        deleted = forget_contact(session, world.student(session, "U0A"), "ada lovelace")

    assert (deleted.contacts, deleted.outreach, deleted.chats) == (1, 1, 1)
    assert deleted.deliveries >= 1  # the thank-you reminder (and any follow-up it recorded)
    assert deleted.line().startswith("1 contact, 1 outreach, 1 chat, ")
    assert names_of(world, "U0A") == ["Bob Noyce", "Cy Twombly"]
    with world.session() as session:
        assert session.get(Chat, chat_id) is None and session.get(Outreach, outreach_id) is None
    remaining = kinds_for(world, "U0A")
    assert f"thank-you chat-{chat_id}" not in remaining
    assert not [k for k in remaining if k.startswith(f"follow-up outreach-{outreach_id}-")]
    assert any(k.startswith("thank-you") for k in remaining)  # Cy's stays
    assert any(k.startswith("follow-up") for k in remaining)  # Bob's stays
    assert "kickoff" in remaining
    assert names_of(world, "U0B") == ["Dee Hock"]


def test_forgetting_an_attempt_takes_its_follow_ups_and_unlinks_its_referrals(
    world: World,
) -> None:
    seed(world)
    with world.session() as session:
        bob = session.scalars(select(Contact).where(Contact.name == "Bob Noyce")).one()
        cy = session.scalars(select(Contact).where(Contact.name == "Cy Twombly")).one()
        cy.referred_by_id = bob.id
        assert bob.outreach is not None
        follow_up = f"follow-up outreach-{bob.outreach.id}-1"
    assert follow_up in kinds_for(world, "U0A")

    with world.session() as session:
        deleted = forget_contact(session, world.student(session, "U0A"), bob.id)

    assert (deleted.contacts, deleted.outreach, deleted.chats) == (1, 1, 0)
    assert deleted.deliveries == 1
    assert follow_up not in kinds_for(world, "U0A")
    with world.session() as session:
        cy_now = session.get(Contact, cy.id)
        assert cy_now is not None and cy_now.referred_by_id is None


def test_a_contact_is_found_by_linkedin_url_and_only_among_ones_own(world: World) -> None:
    seed(world)
    with world.session() as session:
        dee = session.scalars(select(Contact).where(Contact.name == "Dee Hock")).one()
        student = world.student(session, "U0A")
        with pytest.raises(NotFound, match="not in your log"):
            forget_contact(session, student, dee.id)
        with pytest.raises(NotFound, match="“Dee Hock” is not in your log"):
            forget_contact(session, student, "Dee Hock")
        deleted = forget_contact(session, student, "https://linkedin.com/in/Ada-Lovelace/")
        assert deleted.contacts == 1
    assert names_of(world, "U0B") == ["Dee Hock"]


def test_two_contacts_of_one_name_need_the_linkedin_url(world: World) -> None:
    world.create_cohort(START, student_ids=["U0A"])
    world.outreach_many(
        "U0A",
        [("Ada Lovelace", "linkedin.com/in/ada-one"), ("Ada Lovelace", "linkedin.com/in/ada-two")],
        SENT,
    )
    with world.session() as session:
        with pytest.raises(InvalidInput, match="LinkedIn URL"):
            forget_contact(session, world.student(session, "U0A"), "Ada Lovelace")
        forget_contact(session, world.student(session, "U0A"), "linkedin.com/in/ada-two")
    assert names_of(world, "U0A") == ["Ada Lovelace"]


def test_a_contact_in_the_hand_in_is_refused_with_how_to_change_it(world: World) -> None:
    cohort_id = seed(world)
    world.hand_in(cohort_id, "U0A", MONDAY)
    with world.session() as session, pytest.raises(NotAllowed) as refused:
        forget_contact(session, world.student(session, "U0A"), "Cy Twombly")
    assert "part of your hand-in" in refused.value.message
    assert "`/coffee submit`" in refused.value.for_user("/coffee")
    assert names_of(world, "U0A") == ["Ada Lovelace", "Bob Noyce", "Cy Twombly"]


def test_forgetting_a_student_deletes_their_log_and_sends_nothing_again(world: World) -> None:
    cohort_id = seed(world)
    world.hand_in(cohort_id, "U0A", MONDAY)
    world.slack.take()

    with world.session() as session:
        deleted = forget_student(session, TEAM, "U0A")

    assert (deleted.contacts, deleted.outreach, deleted.chats) == (3, 3, 2)
    assert (deleted.reflections, deleted.submissions) == (1, 1)
    assert deleted.deliveries >= 3  # two thank-you reminders, a follow-up
    assert names_of(world, "U0A") == []
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
        assert session.scalar(select(func.count()).select_from(Reflection)) == 0
        assert enrollment_of(world, session, "U0A", cohort_id).active  # still in the cohort
    remaining = kinds_for(world, "U0A")
    assert "kickoff" in remaining
    assert not any(k.startswith(("thank-you", "follow-up")) for k in remaining)
    assert names_of(world, "U0B") == ["Dee Hock"]

    world.run(MONDAY + timedelta(minutes=5))
    assert [p for p in world.slack.take() if p.kind == "kickoff"] == []


def test_forgetting_someone_never_seen_deletes_nothing(world: World) -> None:
    with world.session() as session:
        assert forget_student(session, TEAM, "U0NOBODY").line() == "nothing"
        assert session.scalar(select(func.count()).select_from(Student)) == 0
        get_or_create_student(session, TEAM, "U0NEW")
    with world.session() as session:
        assert forget_student(session, TEAM, "U0NEW").line() == "nothing"
