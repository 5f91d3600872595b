"""`/coffee setup`: open the cohort form, save it, then enroll the students' channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.ids import Callback, SetupBlock
from bot.blocks.setup import (
    ROSTER_FAILED,
    RosterOutcome,
    saved_view,
    setup_modal,
    setup_report,
)
from bot.domain.cohorts import CohortSpec
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.roster import enroll_members
from bot.domain.setup import (
    check_may_set_up,
    cohort_to_edit,
    draft_for_new,
    draft_from_cohort,
    save_cohort,
)
from bot.models import Cohort
from bot.slack.deps import Deps
from bot.slack.parsing import metadata, parse_date, view_values
from bot.webapi.lookups import bot_missing_from, channel_members, profile_of, send_dm

log = logging.getLogger(__name__)

FIELD_BLOCKS: dict[str, list[SetupBlock]] = {
    "name": [SetupBlock.NAME],
    "start_date": [SetupBlock.START_DATE],
    "breaks": [SetupBlock.START_DATE],
    "timezone": [SetupBlock.TIMEZONE],
    "channel": [SetupBlock.INSTRUCTORS_CHANNEL],
    "instructors_channel": [SetupBlock.INSTRUCTORS_CHANNEL],
    "students_channel": [SetupBlock.STUDENTS_CHANNEL],
    "user": [SetupBlock.INSTRUCTORS],
    "required_chats": [SetupBlock.REQUIRED_CHATS],
    "min_attempts": [SetupBlock.MIN_ATTEMPTS],
    "numbers": [SetupBlock.REQUIRED_CHATS, SetupBlock.MIN_ATTEMPTS],
    "checkpoint": [SetupBlock.CHECKPOINT],
    "deadline": [SetupBlock.DEADLINE],
}


def setup_errors(error: DomainError) -> dict[str, str]:
    """The error on the field(s) it concerns; refusals go on the name, the first field."""
    blocks = FIELD_BLOCKS.get(getattr(error, "field", None) or "", [SetupBlock.NAME])
    return {block.value: error.message[:2000] for block in blocks}


def _whole_number(value: Any, field: str, label: str) -> int:
    text = str(value if value is not None else "").strip()
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidInput(f"{label} must be a whole number, like 2.", field) from exc


def _instant(value: Any, prefill: dict[str, Any], key: str, moved: bool) -> datetime | None:
    """The picked instant; None (the default) when left at a default the start date moved."""
    if value in (None, ""):
        return None
    try:
        stamp = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Pick a date and time from the calendar.", key) from exc
    if moved and prefill.get(f"{key}_is_default") and stamp == prefill.get(key):
        return None
    return datetime.fromtimestamp(stamp, UTC)


def spec_from_view(view: dict[str, Any], team_id: str) -> tuple[CohortSpec, int | None]:
    """The cohort the form describes, and which cohort it edits (None: a new one)."""
    values = view_values(view)
    meta = metadata(view)
    prefill = meta.get("prefill")
    if not isinstance(prefill, dict):
        prefill = {}
    start = parse_date(values.get(SetupBlock.START_DATE), "start_date")
    timezone = (values.get(SetupBlock.TIMEZONE) or "").strip()
    if not timezone:
        raise InvalidInput(
            "Type the cohort's timezone, an IANA name like America/Denver.", "timezone"
        )
    instructors_channel = values.get(SetupBlock.INSTRUCTORS_CHANNEL)
    if not instructors_channel:
        raise InvalidInput(
            "Pick the instructors' channel: the checkpoint digest goes there.",
            "instructors_channel",
        )
    moved = start.isoformat() != prefill.get("start_date") or timezone != prefill.get("timezone")
    spec = CohortSpec(
        team_id=team_id,
        name=values.get(SetupBlock.NAME) or "",
        start_date=start,
        timezone=timezone,
        instructors_channel=instructors_channel,
        students_channel=values.get(SetupBlock.STUDENTS_CHANNEL) or None,
        instructor_ids=list(values.get(SetupBlock.INSTRUCTORS) or []),
        checkpoint_at=_instant(values.get(SetupBlock.CHECKPOINT), prefill, "checkpoint", moved),
        deadline_at=_instant(values.get(SetupBlock.DEADLINE), prefill, "deadline", moved),
        required_chats=_whole_number(
            values.get(SetupBlock.REQUIRED_CHATS), "required_chats", "Coffee chats required"
        ),
        min_attempts=_whole_number(
            values.get(SetupBlock.MIN_ATTEMPTS), "min_attempts", "People to try"
        ),
    )
    cohort_id = meta.get("cohort_id")
    return spec, cohort_id if isinstance(cohort_id, int) else None


class SetupCommand:
    """`/coffee setup` (edit yours, or create the first) and `/coffee setup new`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def open(self, args: str, body: dict[str, Any], _respond: Respond, client: WebClient) -> None:
        mode = args.strip().lower()
        command = self.deps.settings.slash_command
        if mode not in {"", "new"}:
            raise InvalidInput(
                f"Use `{command} setup` to create or edit your cohort, "
                f"or `{command} setup new` to create another one."
            )
        team_id, user_id = body["team_id"], body["user_id"]
        channel_id = body.get("channel_id")
        profile = profile_of(client, user_id)
        now = self.deps.now()
        with self.deps.session() as session:
            check_may_set_up(session, team_id, user_id, profile.is_admin)
            cohort = None
            if mode != "new":
                cohort = cohort_to_edit(session, team_id, user_id, channel_id, profile.is_admin)
            if cohort is not None:
                draft = draft_from_cohort(cohort)
            else:
                draft = draft_for_new(now, profile.timezone, channel_id, user_id)
        client.views_open(trigger_id=body["trigger_id"], view=setup_modal(draft))


class SetupModal:
    """Saves the setup form; after answering Slack, enrolls the students' channel."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def save(
        self,
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        user_id = body["user"]["id"]
        team_id = view.get("team_id") or body["user"]["team_id"]
        now = self.deps.now()
        try:
            spec, cohort_id = spec_from_view(view, team_id)
            profile = profile_of(client, user_id)
            with self.deps.session() as session:
                saved = save_cohort(session, spec, user_id, cohort_id, profile.is_admin, now)
        except DomainError as error:
            ack(response_action="errors", errors=setup_errors(error))
            return
        cohort = saved.cohort
        ack(
            response_action="update",
            view=saved_view(cohort, saved.created, self.deps.settings.slash_command),
        )
        roster = None
        if cohort.students_channel:
            try:
                roster = self.sync_roster(client, cohort, context.bot_user_id)
            except Exception:
                log.exception("enrolling %s failed", cohort.students_channel)
                roster = RosterOutcome(error=ROSTER_FAILED)
        missing = bot_missing_from(client, cohort.instructors_channel)
        text, blocks = setup_report(cohort, saved.created, roster, missing)
        send_dm(client, user_id, text, blocks)

    def sync_roster(
        self, client: WebClient, cohort: Cohort, bot_user_id: str | None
    ) -> RosterOutcome:
        """Enroll every person in the students' channel (not bots, not instructors)."""
        assert cohort.students_channel
        try:
            members = channel_members(client, cohort.students_channel)
        except SlackApiError as error:
            code = str(error.response.get("error") or "error")
            log.warning("conversations.members %s failed: %s", cohort.students_channel, code)
            return RosterOutcome(error=code)
        instructors = set(cohort.instructor_ids or [])
        skip = {bot_user_id} if bot_user_id else set()
        for member in members:
            if (
                member not in instructors
                and member not in skip
                and profile_of(client, member).is_bot
            ):
                skip.add(member)
        with self.deps.session() as session:
            current = session.get(Cohort, cohort.id)
            assert current is not None
            result = enroll_members(session, current, members, skip, self.deps.now())
        return RosterOutcome(enrolled=len(result.enrolled), already=len(result.already))


def register(app: App, deps: Deps) -> None:
    app.view(Callback.SETUP_MODAL.value)(SetupModal(deps).save)
