"""Sending a file to someone: a DM with the file attached (files_upload_v2)."""

from __future__ import annotations

from slack_sdk import WebClient


def send_file(client: WebClient, user_id: str, filename: str, content: str, comment: str) -> None:
    """Upload `content` as `filename` into the bot's DM with the user, with a comment."""
    opened = client.conversations_open(users=user_id)
    client.files_upload_v2(
        channel=str(opened["channel"]["id"]),
        content=content.encode(),
        filename=filename,
        title=filename,
        initial_comment=comment,
    )
