"""Typed SQLAlchemy models: the whole domain of the assignment, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant in UTC (only for row timestamps, never for rules)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutreachStatus(StrEnum):
    SENT = "sent"
    RESPONDED = "responded"
    SCHEDULED = "scheduled"
    CHATTED = "chatted"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"


class OutreachChannel(StrEnum):
    LINKEDIN = "linkedin"
    EMAIL = "email"
    SLACK = "slack"
    IN_PERSON = "in_person"
    OTHER = "other"


class ContactSource(StrEnum):
    LINKEDIN_SEARCH = "linkedin_search"
    CONFERENCE = "conference"
    ALUMNI = "alumni"
    REFERRAL = "referral"
    OTHER = "other"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Cohort(Base):
    """A class of students doing the assignment on one calendar."""

    __tablename__ = "cohort"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        Index("ix_cohort_plan_at", "active", "plan_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    checkpoint_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    required_chats: Mapped[int] = mapped_column(Integer)
    min_attempts: Mapped[int] = mapped_column(Integer)
    instructors_channel: Mapped[str] = mapped_column(String(32))
    students_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    instructor_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    breaks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The clock's index (bot.domain.plan_index): when the cohort next needs planning (None:
    # at once), and a counter every write to its facts bumps.
    plan_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    plan_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort")


class Student(Base):
    """A Slack user in a workspace; owns contacts, outreach and chats across cohorts."""

    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    timezone_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="student")


class Enrollment(Base):
    """A student in a cohort, with an optional personal deadline extension."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("cohort_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    deadline_override: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    excused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    excused_by: Mapped[str | None] = mapped_column(String(32), default=None)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    student: Mapped[Student] = relationship()


class Contact(Base):
    """A professional a student found; one row per LinkedIn profile per student."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("student_id", "linkedin_url"),
        Index("ix_contact_student_name", "student_id", "name_key"),
        # Without a LinkedIn URL a person is known by name: one row per name per student.
        Index(
            "uq_contact_student_name_without_url",
            "student_id",
            "name_key",
            unique=True,
            sqlite_where=text("linkedin_url IS NULL"),
            postgresql_where=text("linkedin_url IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    linkedin_url: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str | None] = mapped_column(String(100), default=None)
    company: Mapped[str | None] = mapped_column(String(100), default=None)
    source: Mapped[str] = mapped_column(String(32), default=ContactSource.OTHER)
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    student: Mapped[Student] = relationship(back_populates="contacts")
    outreach: Mapped[Outreach | None] = relationship(back_populates="contact", uselist=False)
    chat: Mapped[Chat | None] = relationship(back_populates="contact", uselist=False)
    referred_by: Mapped[Contact | None] = relationship(remote_side="Contact.id")


class Outreach(Base):
    """A student's attempt to reach one contact and where it stands."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(32), default=OutreachChannel.LINKEDIN)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(32), default=OutreachStatus.SENT)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    follow_ups: Mapped[int] = mapped_column(Integer, default=0)
    last_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the chat is planned (UTC), once the student said; shown while status is scheduled.
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="outreach")


class Chat(Base):
    """A coffee chat held with a contact."""

    __tablename__ = "chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    takeaways: Mapped[str | None] = mapped_column(Text, default=None)
    thank_you_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="chat")


class RemovedChat(Base):
    """A chat the student un-logged by moving its contact on, kept so that they can undo it.

    One per contact (the latest); restoring it puts the chat back with its own id, so what was
    recorded about that chat (reminders sent, say) still applies. Logging a new chat with the
    contact drops it; forgetting the contact deletes it with the contact.
    """

    __tablename__ = "removed_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    chat_id: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    takeaways: Mapped[str | None] = mapped_column(Text, default=None)
    thank_you_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    chat_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reflection(Base):
    """A student's answers to the four reflection questions, saved as a draft."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    experience: Mapped[str | None] = mapped_column(Text, default=None)
    takeaways: Mapped[str | None] = mapped_column(Text, default=None)
    similarly: Mapped[str | None] = mapped_column(Text, default=None)
    differently: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(Base):
    """The deliverable: two chats and a snapshot of the answers, and the instructors' post."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    first_chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id", ondelete="RESTRICT"))
    second_chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id", ondelete="RESTRICT"))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    post_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    post_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    posted_revision: Mapped[int] = mapped_column(Integer, default=0)
    post_error: Mapped[str | None] = mapped_column(Text, default=None)
    post_link: Mapped[str | None] = mapped_column(String(300), default=None)
    post_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Delivery(Base):
    """One scheduled message, sent or tried; the unique key makes scheduled work idempotent."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), default=None
    )
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("student.id", ondelete="CASCADE"), default=None
    )
    period: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    ts: Mapped[str | None] = mapped_column(String(32), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionKind(StrEnum):
    NUDGE = "nudge"
    EXTEND = "extend"
    EXCUSE = "excuse"
    UNEXCUSE = "unexcuse"


class InstructorAction(Base):
    """What an instructor did about a student: a nudge, an extension, an excuse — who, when."""

    __tablename__ = "instructor_action"
    __table_args__ = (Index("ix_instructor_action_cohort", "cohort_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    by_user: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(Text, default=None)


class Workspace(Base):
    """A workspace the bot is (or was) installed in; an uninstall starts the grace period after
    which its data is deleted (UNINSTALLED_DATA_DAYS)."""

    __tablename__ = "workspace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The cohorts the uninstall archived: a reinstall within the grace period restores them.
    archived_cohort_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    data_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class EventReceipt(Base):
    """An Events API delivery already taken: Slack's retries of it are dropped (kept a day)."""

    __tablename__ = "event_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
