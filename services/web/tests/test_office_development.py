"""The development sign-in (what `make run` offers): pick a role, a city and an organisation, and work
with a token made with the development key, which the content and events services here trust as the
services do under `make run`. Production settings refuse it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_helpers import form_token, text_of
from pydantic import SecretStr, ValidationError
from web_helpers import web_settings
from witaj.devkit.demo.seeding import seed_databases
from witaj.devkit.sandbox import Sandbox
from witaj.devkit.testing import LiveServer, run_to_end, service_app, service_settings
from witaj.shared.settings import Environment, MongoSettings, ServiceSettings
from witaj.web.main import create_app
from witaj.web.office.settings import OfficeSettings
from witaj.web.settings import WebServiceSettings, WebSettings


@pytest.fixture(scope="module")
def development_web(
    kafka_bootstrap: str,
    mongo_server_url: str,
    dev_key_path: Path,
    platform: dict[str, str],
    sessions_db: MongoSettings,
) -> Iterator[str]:
    """A content and an events service trusting the development key (with the demo city), and a web app
    whose back office signs people in with that key (its dashboard reads both)."""
    sandbox = Sandbox(kafka_bootstrap, mongo_server_url, dev_key_path, name=f"dev{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(environment=Environment.TEST, log_format="console", log_level="WARNING")
    settings = [service_settings(name, sandbox, service) for name in ("content", "events", "notify")]
    run_to_end(seed_databases(*settings, names=["lublin"]))
    with (
        LiveServer(service_app("content", sandbox, service)) as content,
        LiveServer(service_app("events", sandbox, service)) as events,
    ):
        office = OfficeSettings(dev_key_path=str(dev_key_path))
        urls = {**platform, "content": content, "events": events}
        with LiveServer(create_app(web_settings(urls, mongo=sessions_db, office=office))) as url:
            yield url


@pytest.fixture
def dev_web(development_web: str) -> Iterator[httpx.Client]:
    """Synchronous on purpose: this module also drives Chromium through Playwright's synchronous API."""
    with httpx.Client(base_url=development_web, timeout=20) as client:
        yield client


def test_the_development_sign_in_is_plainly_marked_and_gives_a_working_session(dev_web: httpx.Client) -> None:
    door = dev_web.get("/office/sign-in")
    assert 'href="/office/sign-in/development?next=/office"' in door.text
    assert 'href="/office/sign-in/start' not in door.text  # no identity provider here

    page = dev_web.get("/office/sign-in/development")
    assert "Development only." in text_of(page) and "production refuses it" in text_of(page)
    assert 'value="pa_editor"' in page.text and '<option value="lublin">' in page.text

    wrong = dev_web.post(
        "/office/sign-in/development",
        data={"csrf_token": form_token(page), "role": "emperor", "city": "lublin"},
    )
    assert wrong.status_code == 422 and '<a href="#dev-role">Choose a role</a>' in wrong.text

    signed = dev_web.post(
        "/office/sign-in/development",
        data={
            "csrf_token": form_token(page),
            "role": "ngo_editor",
            "city": "lublin",
            "organisation": "homo-faber",
        },
    )
    assert signed.status_code == 303
    dashboard = dev_web.get("/office", follow_redirects=True)
    assert str(dashboard.url).endswith("/office/lublin")
    assert "Development only." in text_of(dashboard)  # on every page, while so signed in
    organisations = dev_web.get("/office/lublin/content/organisations")
    assert organisations.status_code == 200 and "/office/lublin/items/lublin-homo-faber" in organisations.text


def test_production_refuses_the_development_sign_in_and_needs_an_address_for_the_provider() -> None:
    production = {
        "service": WebServiceSettings(environment=Environment.PRODUCTION),
        "secret_key": SecretStr("s" * 40),
        "mongo": MongoSettings(url=SecretStr("mongodb://db.internal:27017"), database="witaj_web"),
    }
    with pytest.raises(ValidationError, match=r"office\.dev_key_path must not be set in production"):
        WebSettings(**production, office=OfficeSettings(dev_key_path="/tmp/key.pem"))
    with pytest.raises(ValidationError, match=r"service\.public_url must be set"):
        WebSettings(**production, office=OfficeSettings(issuer="https://id.example/realms/witaj"))
    settings = WebSettings(
        **{
            **production,
            "service": WebServiceSettings(
                environment=Environment.PRODUCTION, public_url="https://witaj.example"
            ),
        },
        office=OfficeSettings(issuer="https://id.example/realms/witaj"),
    )
    assert settings.office.issuer and not settings.office.development_sign_in


def test_the_development_sign_in_page_has_no_accessibility_violations(page, development_web: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from web_helpers import screenshot

    page.goto(f"{development_web}/office/sign-in/development")
    result = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
    )
    screenshot(page, "office-development-sign-in-phone")
    assert result.violations_count == 0, result.generate_report()
