"""Hostile input against the running platform: every service refuses oversize and deeply nested JSON
with a clear error, webhooks and calendar sources may not point inside private networks, and markup
stored in content comes back sanitised."""

from __future__ import annotations

import json

import httpx
import pytest

# One write per service that takes a JSON body (the size and depth limits apply before the route runs).
WRITES = {
    "content": "/cities/lublin/workbench/pages",
    "events": "/cities/lublin/events",
    "notify": "/subscriptions",
    "stats": "/cities/lublin/indicators/employment_rate/datasets?period=2025",
    "ask": "/cities/lublin/questions",
}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(scope="module")
def admin(mint) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint('platform_admin')}", "Content-Type": "application/json"}


@pytest.mark.parametrize("service", sorted(WRITES))
def test_oversize_bodies_are_refused_with_413(service: str, live_platform, admin) -> None:
    body = json.dumps({"padding": "x" * 1_100_000})  # default limit: 1,000,000 bytes
    response = httpx.post(live_platform[service] + WRITES[service], content=body, headers=admin, timeout=30)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and "limit" in error["message"]


@pytest.mark.parametrize("service", sorted(WRITES))
def test_deeply_nested_json_is_refused_before_any_parsing_work(service: str, live_platform, admin) -> None:
    response = httpx.post(
        live_platform[service] + WRITES[service], content=nested(5_000), headers=admin, timeout=30
    )
    assert 400 <= response.status_code < 500
    assert "nest" in response.json()["error"]["message"].lower()


INSIDE = [
    "https://127.0.0.1:8001/cities",  # the platform itself
    "https://10.0.0.7/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://[::ffff:169.254.169.254]/latest/meta-data/",  # the same, written as IPv6
    "https://[::1]/hook",
    "https://localhost/hook",
]


@pytest.mark.parametrize("target", INSIDE)
def test_webhooks_into_private_networks_are_refused(target: str, live_platform) -> None:
    response = httpx.post(
        f"{live_platform['notify']}/subscriptions",
        json={"city": "lublin", "channels": ["webhook"], "webhook_url": target},
        timeout=10,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "webhook_target_forbidden"


@pytest.mark.parametrize("target", INSIDE)
def test_calendar_sources_into_private_networks_are_refused(target: str, live_platform, mint) -> None:
    editor = {"Authorization": f"Bearer {mint('ngo_editor', city='lublin', org='caritas-lublin')}"}
    response = httpx.put(
        f"{live_platform['events']}/cities/lublin/calendar-sources/probe",
        json={"url": target},
        headers=editor,
        timeout=10,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "calendar_target_forbidden"


def test_markup_stored_in_content_comes_back_sanitised(live_platform, mint) -> None:
    editor = {"Authorization": f"Bearer {mint('pa_editor', city='lublin', org='urzad-miasta')}"}
    base = f"{live_platform['content']}/cities/lublin"
    body = (
        "Zapisz się **dziś**. <script>alert(1)</script> <img src=x onerror=alert(1)> "
        '[kliknij](javascript:alert(1)) <a href="https://lublin.eu" onclick="steal()">Lublin</a> '
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
    )
    page = {"title": "Test bezpieczeństwa", "body": body, "topics": ["housing"], "user_types": ["worker"]}
    created = httpx.post(f"{base}/workbench/pages", json={"content": page}, headers=editor, timeout=10)
    assert created.status_code == 201, created.text
    item = created.json()["id"]
    for status in ("in_review", "published"):
        changed = httpx.post(
            f"{base}/workbench/items/{item}/status", json={"status": status}, headers=editor, timeout=10
        )
        assert changed.status_code == 200, changed.text

    html = httpx.get(f"{base}/pages/{item}", timeout=10).json()["html"]["body"]
    for forbidden in ("<script", "onerror", "onclick", 'href="javascript', "<iframe", "<style"):
        assert forbidden not in html.lower(), f"{forbidden} survived sanitising: {html}"
    assert "<strong>dziś</strong>" in html and 'href="https://lublin.eu"' in html


def test_markup_in_a_question_stays_text_for_the_migrant_and_the_counsellor(live_platform, mint) -> None:
    base = f"{live_platform['ask']}/cities/lublin"
    typed = "<script>alert(1)</script> <img src=x onerror=alert(1)> Gdzie\u202e jest urząd?"
    asked = httpx.post(f"{base}/questions", json={"text": typed, "language": "pl"}, timeout=10)
    assert asked.status_code == 201, asked.text
    question, token = asked.json()["id"], asked.json()["token"]
    assert httpx.post(
        f"{base}/questions/{question}/send", headers={"X-Question-Token": token}, timeout=10
    ).is_success
    counsellor = {"Authorization": f"Bearer {mint('counsellor', city='lublin', org='caritas')}"}
    profile = httpx.put(
        f"{base}/counselling/profile", json={"languages": ["pl"]}, headers=counsellor, timeout=10
    )
    assert profile.status_code == 200, profile.text
    seen = httpx.get(f"{base}/counselling/questions/{question}", headers=counsellor, timeout=10).json()
    message = seen["messages"][0]
    assert "\u202e" not in message["text"]  # a direction override could disguise what was written
    assert "<script" not in message["html"] and "<img" not in message["html"]
    assert message["html"].startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
