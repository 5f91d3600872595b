"""Posting hand-ins to the instructors' channel: one post per student, edited on resubmission.

A post is claimed with a conditional UPDATE (a short lease) before it is sent, and its ts is
recorded right after, so the submit listener and the clock can both try without ever posting
twice. A post Slack refused stays pending (`posted_revision < revision`) and is retried by
`post_pending_handins`, which the clock calls every minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.blocks.handin import handin_post
from bot.blocks.reflections import handin_delivered
from bot.db import session_scope
from bot.domain.calendar import student_deadline
from bot.domain.handins import PostOutcome, submitted_chats
from bot.models import Cohort, Enrollment, Student, Submission
from bot.webapi.errors import UNCERTAIN, meaning
from bot.webapi.posting import SendError, classify, posted_with

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a post with all its retries can take
ROUNDS = 3  # a resubmission made while a post is in flight is sent in the next round
HANDIN_EVENT = "coffee_chat_handin"  # the metadata that lets a post be found after a timeout


def deliver_handin(
    client: WebClient, sessions: sessionmaker[Session], submission_id: int, now: datetime
) -> PostOutcome:
    """Post (or edit) the instructors' post of one hand-in until it shows the latest version."""
    outcome: PostOutcome | None = None
    for _ in range(ROUNDS):
        if not _claim(sessions, submission_id, now):
            break
        outcome = _send(client, sessions, submission_id)
        if outcome.state == "failed":
            return outcome
    if outcome is None:
        outcome = _current(sessions, submission_id)
    if outcome.channel and outcome.ts:
        link = permalink(client, outcome.channel, outcome.ts)
        if link:  # the deadline digest links each hand-in to its post
            with session_scope(sessions) as session:
                session.execute(
                    update(Submission).where(Submission.id == submission_id).values(post_link=link)
                )
        return PostOutcome(outcome.state, outcome.updated, outcome.channel, outcome.ts,
                           permalink=link)  # fmt: skip
    return outcome


def post_pending_handins(
    clients: WebClient | Callable[[str], WebClient], sessions: sessionmaker[Session], now: datetime
) -> int:
    """Send every hand-in whose post is missing or out of date; returns how many were sent.

    Safe to run twice or concurrently (each post is claimed first). The student gets a DM with
    the link, since they were told it was on its way. A channel that refuses one post is not
    tried again for others in the same run.
    """
    with session_scope(sessions) as session:
        pending = session.execute(
            select(Submission.id, Student.user_id, Cohort.instructors_channel, Cohort.team_id)
            .join(Enrollment, Enrollment.id == Submission.enrollment_id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .join(Student, Student.id == Enrollment.student_id)
            .where(Submission.posted_revision < Submission.revision, _unclaimed(now))
            .order_by(Submission.submitted_at, Submission.id)
        ).all()
    sent = 0
    refusing: set[str] = set()
    for submission_id, student, channel, team_id in pending:
        if channel in refusing:
            continue
        try:
            client = clients if isinstance(clients, WebClient) else clients(team_id)
        except LookupError as error:  # not installed there (any more)
            log.warning("hand-in %s not posted: %s", submission_id, error)
            refusing.add(channel)
            continue
        outcome = deliver_handin(client, sessions, submission_id, now)
        if outcome.state == "failed":
            refusing.add(channel)
        elif outcome.state == "posted":
            sent += 1
            _tell_student(client, student, outcome)
    return sent


def permalink(client: WebClient, channel: str, ts: str) -> str | None:
    """A link to a message, or None when Slack won't give one (the post itself is fine)."""
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except Exception as error:  # a missing link must never turn a hand-in into a failure
        log.warning("no permalink for %s/%s: %s", channel, ts, error)
        return None
    return link if isinstance(link, str) else None


def _unclaimed(now: datetime) -> Any:
    return or_(Submission.post_claimed_until.is_(None), Submission.post_claimed_until < now)


def _claim(sessions: sessionmaker[Session], submission_id: int, now: datetime) -> bool:
    """Take the post of a hand-in for LEASE, if it is out of date and nobody else holds it."""
    with session_scope(sessions) as session:
        result = session.execute(
            update(Submission)
            .where(
                Submission.id == submission_id,
                Submission.posted_revision < Submission.revision,
                _unclaimed(now),
            )
            .values(post_claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def _send(client: WebClient, sessions: sessionmaker[Session], submission_id: int) -> PostOutcome:
    """Send the claimed post, then record where it is (or why it failed) and release the claim."""
    with session_scope(sessions) as session:
        submission = session.get(Submission, submission_id)
        assert submission is not None
        enrollment = _enrollment(session, submission.enrollment_id)
        text, blocks = handin_post(
            submission,
            submitted_chats(session, submission),
            enrollment.cohort,
            enrollment.student.user_id,
            student_deadline(enrollment.cohort.deadline_at, enrollment.deadline_override),
        )
        revision = submission.revision
        old_channel, old_ts = submission.post_channel, submission.post_ts
        target = enrollment.cohort.instructors_channel
        unsure = (submission.post_error or "").startswith(UNCERTAIN)
        since = submission.submitted_at
    try:
        if unsure and not old_ts:  # the last try may have posted: look before posting again
            found = find_handin_post(client, target, submission_id, since)
            if found is not None:
                old_channel, old_ts = target, found
        unsure = False
        channel, ts, updated = _post_or_update(
            client, target, old_channel, old_ts, text, blocks, submission_id
        )
    except Exception as error:
        failure = error if isinstance(error, SendError) else classify(error)
        code = failure.code
        log.warning("hand-in %s not posted to %s: %s", submission_id, target, code)
        # Slack may have posted it (a timeout, a 5xx), or we could not look: say so, so the
        # next try looks in the channel first instead of posting it twice.
        maybe = unsure or (failure.transient and code != "ratelimited")
        _record(sessions, submission_id, post_error=f"{UNCERTAIN}: {code}" if maybe else code)
        return PostOutcome("failed", error=code)
    _record(
        sessions,
        submission_id,
        post_channel=channel,
        post_ts=ts,
        posted_revision=revision,
        post_error=None,
    )
    return PostOutcome("posted", updated, channel, ts)


def find_handin_post(
    client: WebClient, channel: str, submission_id: int, since: datetime
) -> str | None:
    """The ts of the hand-in's post if Slack has it, found by its metadata in one narrow
    history read since the hand-in was submitted (`posted_with`): a refusal to let us read
    finds nothing, so the post is sent; a rate limit or an unreachable Slack raises, so nothing
    is posted until we could look."""
    for ts, payload in posted_with(client, channel, HANDIN_EVENT, since):
        if payload.get("submission") == str(submission_id):
            return ts
    return None


def _post_or_update(
    client: WebClient,
    target: str,
    old_channel: str | None,
    old_ts: str | None,
    text: str,
    blocks: list[dict[str, Any]],
    submission_id: int,
) -> tuple[str, str, bool]:
    """Edit the student's earlier post when there is one, else post; (channel, ts, updated)."""
    if old_channel and old_ts:
        try:
            client.chat_update(channel=old_channel, ts=old_ts, text=text, blocks=blocks)
            return old_channel, old_ts, True
        except SlackApiError as error:
            problem = meaning(classify(error).code)
            moved = target != old_channel and problem.channel_problem
            if not (problem.message_gone or moved):
                raise
            log.info("earlier hand-in post %s/%s is gone; posting anew", old_channel, old_ts)
    response = client.chat_postMessage(
        channel=target,
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
        metadata={"event_type": HANDIN_EVENT, "event_payload": {"submission": str(submission_id)}},
    )
    return str(response["channel"]), str(response["ts"]), False


def _record(sessions: sessionmaker[Session], submission_id: int, **values: Any) -> None:
    with session_scope(sessions) as session:
        session.execute(
            update(Submission)
            .where(Submission.id == submission_id)
            .values(post_claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )


def _current(sessions: sessionmaker[Session], submission_id: int) -> PostOutcome:
    """The state of a post this call did not send: up to date already, or in someone's hands."""
    with session_scope(sessions) as session:
        submission = session.get(Submission, submission_id)
        assert submission is not None
        if submission.posted_revision >= submission.revision:
            return PostOutcome(
                "already", submission.revision > 1, submission.post_channel, submission.post_ts
            )
        return PostOutcome("busy")


def _enrollment(session: Session, enrollment_id: int) -> Enrollment:
    enrollment = session.get(
        Enrollment,
        enrollment_id,
        options=[joinedload(Enrollment.cohort), joinedload(Enrollment.student)],
    )
    assert enrollment is not None
    return enrollment


def _tell_student(client: WebClient, user_id: str, outcome: PostOutcome) -> None:
    blocks = handin_delivered(outcome.permalink, outcome.updated)
    try:
        client.chat_postMessage(
            channel=user_id, text="Your hand-in reached your instructors.", blocks=blocks
        )
    except Exception as error:  # the hand-in is posted; a lost DM is only logged
        log.warning("could not tell %s their hand-in was posted: %s", user_id, error)
