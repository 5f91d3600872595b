"""Finding 11: at LOG_LEVEL=DEBUG the logs carry no student's text, no response_url, no token
and no secret. `python -m bot` runs as an operator runs it (its own logging set-up), with
OAuth and SLACK_BOT_TOKEN, through an install, commands, a modal and its submission, each
with sentinel texts; then its whole output is searched for them."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bot import db
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import utcnow
from tests.fakeslack import FakeSlack
from tests.oauth_flow import install
from tests.reflect_steps import answer_values
from tests.slackreq import STUDENT, TEAM, SlackSender
from tests.test_processes import env, free_port, wait_healthy

BOT_TOKEN = "xoxb-SENTINEL-BOT-TOKEN-1"
SIGNING = "SENTINEL-SIGNING-SECRET-2"
CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-3"
NAME = "Zebulon Sentinelname"
SLUG = "sentinel-slug-4"
ANSWERS = {
    "experience": "SENTINEL-ANSWER-EXPERIENCE",
    "takeaways": "SENTINEL-ANSWER-TAKEAWAYS",
    "similarly": "SENTINEL-ANSWER-SIMILARLY",
    "differently": "SENTINEL-ANSWER-DIFFERENTLY",
}


def wait_for(fake: FakeSlack, method: str, count: int = 1, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.of(method)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(fake.of(method)) >= count, f"no {method}"


def test_debug_logs_carry_no_personal_data_token_or_secret(tmp_path: Path) -> None:
    fake = FakeSlack(client_secret=CLIENT_SECRET, rotation=True).start()
    url = f"sqlite:///{tmp_path / 'coffee.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    spec = CohortSpec(TEAM, "Mod 5", date(2026, 9, 7), "America/Denver", "C0INSTRUCT")
    spec.student_ids = [STUDENT]
    with db.session_scope(db.make_session_factory(engine)) as session:
        create_cohort(session, spec, utcnow())
    engine.dispose()
    port = free_port()
    environment = env(url, fake, PORT=str(port), LOG_LEVEL="DEBUG")
    environment |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_CLIENT_ID": fake.client_id,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    }
    log = tmp_path / "bot.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=tmp_path, env=environment, stdout=out, stderr=out
        )
    try:
        wait_healthy(port)
        base = f"http://127.0.0.1:{port}"
        issued = install(base, fake, "T0ONE")
        sender = SlackSender(base, SIGNING, fake.url + "/response")
        secret_urls = []
        for n, (text, team) in enumerate(
            [(f"outreach {NAME} https://www.linkedin.com/in/{SLUG}", TEAM), ("status", TEAM),
             ("help", "T0ONE"), ("reflect", TEAM)]
        ):  # fmt: skip
            body = sender.command_body(text, team=team)
            body["response_url"] = fake.response_url(f"SENTINEL-RESPONSE-URL-{n}")
            secret_urls.append(body["response_url"])
            assert sender.form(body).status == 200
        wait_for(fake, "views.open")
        view = fake.of("views.open")[-1].view()
        assert sender.view_submission(view, answer_values(ANSWERS)).status == 200
        assert sender.command("reflect").status == 200  # shows the saved answers again
        wait_for(fake, "views.open", 2)
        assert ANSWERS["takeaways"] in str(fake.of("views.open")[-1].view())
        wait_for(fake, "response_url", 3)
    finally:
        process.terminate()
        process.wait(timeout=25)
        fake.stop()
    output = log.read_text()
    assert "Sending a request - url:" in output and " DEBUG " in output  # DEBUG it was
    assert "views.open" in output
    secrets = [BOT_TOKEN, SIGNING, CLIENT_SECRET, issued, *fake.refresh_tokens, *secret_urls]
    found = [s for s in [NAME, "Sentinelname", SLUG, *ANSWERS.values(), *secrets] if s in output]
    assert not found, f"the DEBUG log shows {found}"
    assert "SENTINEL" not in output
