"""Every message a student receives in a simulated four-week cohort fits a phone: at most
3,000 characters of text (the notification text and every text in its blocks) and 12 blocks.

Four students: one typical, one heavy (many contacts with long names, chats scheduled and
held, a Monday when everything falls due at once), one who does nothing, one who hands in.
The clock runs through the month at the hours things fall due; `-s` prints the longest DM.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import update

from bot.models import Chat
from tests.schedule_fixtures import Post, World, local

DENVER = "America/Denver"
TYPICAL, HEAVY, QUIET, KEEN = "U0TYPICAL", "U0HEAVY", "U0QUIET", "U0KEEN"
STUDENTS = [TYPICAL, HEAVY, QUIET, KEEN]
MAX_CHARS, MAX_BLOCKS = 3000, 12
TICKS = [(8, 0), (9, 0), (11, 0), (13, 0), (15, 0), (17, 0), (18, 0), (19, 0), (21, 0)]
TAKEAWAYS = (
    "She moved from teaching into data engineering after a bootcamp like ours; a typical day "
    "is half pairing, half reviews; SQL and clear writing matter more than any framework; "
    "the industry is moving to smaller teams owning whole products. "
) * 6


def mdt(*parts: int) -> datetime:
    return local(DENVER, *parts)


def person(n: int, who: str) -> tuple[str, str]:
    """A realistically long name and LinkedIn URL."""
    name = f"Alexandria Montgomery-Fitzgerald {who.title()} {n}"
    return name, f"https://www.linkedin.com/in/alexandria-montgomery-fitzgerald-{who}-{n}"


def with_takeaways(world: World, chat_id: int) -> None:
    with world.session() as session:
        session.execute(update(Chat).where(Chat.id == chat_id).values(takeaways=TAKEAWAYS))


def story(world: World, cohort: int) -> dict[datetime, list[Callable[[], object]]]:
    """What the students do, by instant."""
    w = world
    heavy = [person(n, "heavy") for n in range(1, 21)]
    typical = [person(n, "typical") for n in range(1, 7)]
    keen = [person(n, "keen") for n in range(1, 9)]
    plan: dict[datetime, list[Callable[[], object]]] = {
        # Week 1.
        mdt(2026, 9, 8, 10): [
            lambda: w.outreach_many(TYPICAL, typical, mdt(2026, 9, 8, 10)),
            lambda: w.outreach_many(HEAVY, heavy[:12], mdt(2026, 9, 8, 10)),
            lambda: w.outreach_many(KEEN, keen, mdt(2026, 9, 8, 10)),
        ],
        mdt(2026, 9, 9, 12): [
            lambda: w.move(TYPICAL, typical[0][0], "responded", mdt(2026, 9, 9, 12)),
            lambda: w.schedule(TYPICAL, typical[0][0], mdt(2026, 9, 11, 14), mdt(2026, 9, 9, 12)),
            lambda: w.schedule(KEEN, keen[0][0], mdt(2026, 9, 10, 16), mdt(2026, 9, 9, 12)),
            lambda: w.schedule(KEEN, keen[1][0], mdt(2026, 9, 10, 18), mdt(2026, 9, 9, 12)),
        ],
        mdt(2026, 9, 10, 19, 30): [
            lambda: with_takeaways(
                w, w.chat(KEEN, keen[0][0], mdt(2026, 9, 10, 19, 30), keen[0][1])
            ),
            lambda: with_takeaways(
                w, w.chat(KEEN, keen[1][0], mdt(2026, 9, 10, 19, 31), keen[1][1])
            ),
        ],
        mdt(2026, 9, 11, 16, 30): [  # after the check-in: logs it
            lambda: with_takeaways(
                w, w.chat(TYPICAL, typical[0][0], mdt(2026, 9, 11, 16, 30), typical[0][1])
            ),
        ],
        mdt(2026, 9, 12, 10): [lambda: w.thank(TYPICAL, typical[0][0], mdt(2026, 9, 12, 10))],
        # Week 2: the heavy student tries eight more on Wednesday; three say yes.
        mdt(2026, 9, 16, 8): [
            lambda: w.outreach_many(HEAVY, heavy[12:], mdt(2026, 9, 16, 8)),
            lambda: w.move(HEAVY, heavy[0][0], "responded", mdt(2026, 9, 16, 8)),
        ],
        mdt(2026, 9, 17, 12): [
            lambda: w.schedule(HEAVY, heavy[1][0], mdt(2026, 9, 21, 7), mdt(2026, 9, 17, 12)),
            lambda: w.schedule(HEAVY, heavy[2][0], mdt(2026, 9, 21, 13), mdt(2026, 9, 17, 12)),
            lambda: w.schedule(HEAVY, heavy[3][0], mdt(2026, 9, 21, 16), mdt(2026, 9, 17, 12)),
        ],
        # Sunday evening: a chat logged (its thank-you comes Monday morning).
        mdt(2026, 9, 20, 19): [
            lambda: with_takeaways(
                w, w.chat(HEAVY, heavy[0][0], mdt(2026, 9, 20, 19), heavy[0][1])
            ),
        ],
        mdt(2026, 9, 22, 11): [
            lambda: with_takeaways(
                w, w.chat(TYPICAL, typical[1][0], mdt(2026, 9, 22, 11), typical[1][1])
            ),
        ],
        mdt(2026, 9, 29, 12): [lambda: w.hand_in(cohort, KEEN, mdt(2026, 9, 29, 12))],
    }
    return plan


def instants(plan: dict[datetime, list[Callable[[], object]]]) -> list[datetime]:
    found = set(plan)
    day = date(2026, 9, 6)
    while day <= date(2026, 10, 9):
        found |= {mdt(day.year, day.month, day.day, h, m) for h, m in TICKS}
        day += timedelta(days=1)
    return sorted(found)


def test_every_dm_of_a_four_week_cohort_fits_a_phone(world: World) -> None:
    cohort = world.create_cohort(mdt(2026, 9, 1, 12), student_ids=STUDENTS)
    plan = story(world, cohort)
    for now in instants(plan):
        for step in plan.get(now, []):
            step()
        world.run(now)

    dms: list[Post] = [p for p in world.slack.posts if p.channel in STUDENTS]
    kinds = {k.split(":")[0] for p in dms for k in p.keys}
    assert kinds >= {
        "kickoff",
        "weekly-nudge",
        "follow-up",
        "thank-you",
        "prep-card",
        "chat-check-in",
        "checkpoint",
        "deadline-reminder",
    }, kinds
    # The heavy student's Monday of Week 3: everything due at 09:00 in one message.
    monday = [p for p in dms if p.channel == HEAVY and "weekly-nudge" in p.keys[0]]
    combined = next(p for p in monday if "week-3" in p.keys[0])
    assert {k.split(":")[0] for k in combined.keys} == {
        "weekly-nudge",
        "follow-up",
        "chat-check-in",
        "prep-card",
        "thank-you",
    }

    sizes = sorted(((len(p.readable()), len(p.blocks), p) for p in dms), key=lambda s: s[:2])
    chars, blocks, longest = sizes[-1]
    print(
        f"\n{len(dms)} student DMs; the longest: {chars} characters in {blocks} blocks "
        f"({', '.join(longest.keys)})\n{longest.readable()}"
    )
    for size, count, post in sizes:
        assert size <= MAX_CHARS and count <= MAX_BLOCKS, (size, count, post.keys)
    assert max(len(p.blocks) for p in dms) <= MAX_BLOCKS
