"""Webhook mode: only Telegram (who knows the secret) can post updates, and only on the configured address.

A post without ``X-Telegram-Bot-Api-Secret-Token``, with a wrong one, to another path or with another method
is refused and never reaches the conversation core. The server listens on ``TELEGRAM_WEBHOOK_LISTEN`` only
(127.0.0.1 by default, for a reverse proxy in front): another address of the same machine is refused, and
the kernel's socket table shows the one listening address. A webhook URL without a secret is a settings error.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings
from tests.fake_bot_api import FakeBotAPI
from tests.test_security_access import Watched
from tests.test_telegram_harness import SPEC_PATH, RunningBot

pytestmark = pytest.mark.timeout(60)

SECRET = "s3cret-Token_1"
ALICE = 42


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotAPI]:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    with FakeBotAPI(spec_path=SPEC_PATH) as server:
        yield server
        assert server.spec_violations == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(
    port: int, path: str, body: object, headers: dict[str, str], method: str = "POST", host: str = "127.0.0.1"
) -> int:
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        headers = {"Content-Type": "application/json", **headers}
        connection.request(method, path, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (Linux /proc/net/tcp{,6}), as hex ip strings."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def other_addresses() -> list[str]:
    """Addresses of this machine other than 127.0.0.1 that a socket can be opened to."""
    addresses = {"127.0.0.2"}
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent, the kernel only picks a source address
            addresses.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in addresses if a != "127.0.0.1")


def test_only_posts_with_the_secret_reach_the_bot_and_only_on_the_configured_address(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    core = Watched()
    settings = {
        "telegram_webhook_url": "https://bot.example/notes-qa/hook",
        "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port,
        "telegram_webhook_secret": SECRET,
    }
    with RunningBot(fake, tmp_path / "state.sqlite3", conversation=core, **settings) as bot:
        forged = fake.send_text(ALICE, "what is a kernel?")
        statuses = {
            "no header": post(port, "/notes-qa/hook", forged, {}),
            "wrong secret": post(port, "/notes-qa/hook", forged, {"X-Telegram-Bot-Api-Secret-Token": "guess"}),
            "secret in another case": post(port, "/notes-qa/hook", forged,
                                           {"X-Telegram-Bot-Api-Secret-Token": SECRET.lower()}),
            "another path": post(port, "/hook", forged, {"X-Telegram-Bot-Api-Secret-Token": SECRET}),
            "GET": post(port, "/notes-qa/hook", forged, {"X-Telegram-Bot-Api-Secret-Token": SECRET}, method="GET"),
        }
        refused_elsewhere = []
        for address in other_addresses():
            try:
                post(port, "/notes-qa/hook", forged, {"X-Telegram-Bot-Api-Secret-Token": SECRET}, host=address)
            except OSError:
                refused_elsewhere.append(address)
        listening = listening_addresses(port)
        update = fake.send_text(ALICE, "what is a volume?")
        assert post(port, "/notes-qa/hook", update, {"X-Telegram-Bot-Api-Secret-Token": SECRET}) == 200
        [reply] = bot.replies_to(ALICE, update["message"]["message_id"])
    assert statuses == {"no header": 403, "wrong secret": 403, "secret in another case": 403,
                        "another path": 404, "GET": 405}
    assert refused_elsewhere == other_addresses()
    assert listening in ({"0100007F"}, set())  # 127.0.0.1 only (set() where /proc/net is not Linux's)
    assert core.asked == ["what is a volume?"]
    assert "volume" in reply.result["text"].lower()


def test_a_webhook_without_a_secret_is_refused_at_start_and_the_default_address_is_local(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:TEST-token")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example/hook")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET must be set"):
        load_settings(env_file=None)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL")
    assert Settings(_env_file=None).telegram_webhook_listen == "127.0.0.1"  # type: ignore[call-arg]
