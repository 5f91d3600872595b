"""slack_sdk's OAuth tables (installations, bots, OAuth states) on our metadata.

They are built by slack_sdk's own table builders, so the stores and our Alembic migration
(0004_installations) describe exactly the same schema; the migrations test compares them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.models import Base

BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)
