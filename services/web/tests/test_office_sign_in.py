"""Signing in to the back office: the authorisation code flow with PKCE against a real OpenID Connect
provider, tokens kept on the server, refreshed in time, and a session that ends when it should."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import httpx
from office_helpers import SESSION_COOKIE, form_token, person, sessions, sign_in, text_of


async def test_a_city_editor_signs_in_through_the_provider_and_lands_on_the_city_dashboard(
    web, identity_provider, sessions_db
) -> None:
    start = await web.get("/office/sign-in/start")
    asked = parse_qs(urlparse(start.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["state"][0] and asked["nonce"][0] and "openid" in asked["scope"][0]

    web.cookies.set(
        SESSION_COOKIE, "a" * 43, domain="127.0.0.1"
    )  # a session id planted before sign-in is never kept
    back = await sign_in(web, identity_provider, "pa_editor", sub=(sub := person("pa")))
    assert back.headers["location"] == "/office"
    cookie = back.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie and "Path=/" in session_cookie
    session_id = web.cookies[SESSION_COOKIE]
    assert session_id != "a" * 43

    dashboard = await web.get("/office", follow_redirects=True)
    assert dashboard.status_code == 200 and str(dashboard.url).endswith("/office/lublin")
    assert f"Test {sub}" in dashboard.text and "City editor" in text_of(dashboard)

    stored = await sessions(sessions_db).load(session_id)
    assert stored is not None and stored.staff.roles == ("pa_editor",) and stored.staff.city == "lublin"
    token = stored.tokens.access_token
    assert token not in dashboard.text and all(token not in value for value in web.cookies.values())
    raw = await sessions(sessions_db).collection.find_one({"kind": "session"}, sort=[("started_at", -1)])
    assert token.encode() not in raw["sealed"] and session_id not in str(raw)  # sealed, found by a hash


async def test_the_access_token_is_refreshed_before_it_expires(web, identity_provider, sessions_db) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    store = sessions(sessions_db)
    session = await store.load(web.cookies[SESSION_COOKIE])
    assert session is not None
    old = session.tokens
    old.expires_at = time.time() + 5  # within the refresh margin
    assert await store.replace_tokens(session, old)

    page = await web.get("/office/lublin/content/pages")
    assert page.status_code == 200
    refreshed = await store.load(web.cookies[SESSION_COOKIE])
    assert refreshed is not None and refreshed.tokens.access_token != old.access_token
    assert refreshed.tokens.expires_at > time.time() + 600


async def test_a_session_whose_refresh_is_refused_ends_and_asks_to_sign_in_again(
    web, identity_provider, sessions_db
) -> None:
    await sign_in(web, identity_provider, "translator", sub=(sub := person("tr")))
    store = sessions(sessions_db)
    session = await store.load(web.cookies[SESSION_COOKIE])
    assert session is not None
    session.tokens.expires_at = time.time() - 1  # expired, and the provider has revoked everything
    assert await store.replace_tokens(session, session.tokens)
    identity_provider.revoke(sub)

    page = await web.get("/office/lublin/translations")
    assert page.status_code == 303
    assert page.headers["location"] == "/office/sign-in?why=expired&next=%2Foffice%2Flublin%2Ftranslations"
    assert await store.load(web.cookies[SESSION_COOKIE]) is None
    again = await web.get(page.headers["location"])
    assert "Your session has ended" in again.text


async def test_a_tampered_token_is_refused_by_the_services_and_ends_the_session(
    web, identity_provider, sessions_db
) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    store = sessions(sessions_db)
    session = await store.load(web.cookies[SESSION_COOKIE])
    assert session is not None
    head, body, signature = session.tokens.access_token.split(".")
    session.tokens.access_token = f"{head}.{body}.{signature[::-1]}"
    assert await store.replace_tokens(session, session.tokens)

    page = await web.get("/office/lublin/content/pages")
    assert page.status_code == 303 and "why=rejected" in page.headers["location"]
    assert await store.load(web.cookies[SESSION_COOKIE]) is None


async def test_a_forged_session_cookie_is_nobody(web) -> None:
    web.cookies.set(SESSION_COOKIE, "forged-" + "x" * 40, domain="127.0.0.1")
    page = await web.get("/office/lublin")
    assert page.status_code == 303 and page.headers["location"].startswith("/office/sign-in?why=none")


async def test_signing_out_ends_the_session_here_and_at_the_provider(
    web, identity_provider, sessions_db
) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    session_id = web.cookies[SESSION_COOKIE]
    dashboard = await web.get("/office/lublin")
    out = await web.post("/office/sign-out", data={"csrf_token": form_token(dashboard)})
    assert out.status_code == 303
    ending = urlparse(out.headers["location"])
    assert f"{ending.scheme}://{ending.netloc}" == identity_provider.url  # RP-initiated logout
    query = parse_qs(ending.query)
    assert query["post_logout_redirect_uri"][0].endswith("/office/signed-out") and query["id_token_hint"][0]
    assert await sessions(sessions_db).load(session_id) is None
    assert (await web.get("/office/lublin")).status_code == 303
    signed_out = await web.get("/office/signed-out")
    assert "You have signed out." in signed_out.text


async def test_a_sign_in_is_taken_back_once_and_only_with_its_own_state(web, identity_provider) -> None:
    identity_provider.add_user(sub := person("pa"), roles=["pa_editor"], city="lublin")
    start = await web.get("/office/sign-in/start")
    async with httpx.AsyncClient() as at_provider:
        granted = await at_provider.post(start.headers["location"], data={"sub": sub})
    callback = granted.headers["location"]
    forged = callback.replace("state=", "state=x")
    refused = await web.get(forged)
    assert refused.status_code == 400 and "Signing in did not work" in refused.text
    replayed = await web.get(callback)  # the sign-in under way was used up by the forged attempt
    assert replayed.status_code == 400 and SESSION_COOKIE not in web.cookies


async def test_after_sign_in_the_person_goes_only_to_back_office_pages(web, identity_provider) -> None:
    back = await sign_in(web, identity_provider, "pa_editor", next_page="https://elsewhere.example/x")
    assert back.headers["location"] == "/office"
    kept = await sign_in(web, identity_provider, "pa_editor", next_page="/office/lublin/content/processes")
    assert kept.headers["location"] == "/office/lublin/content/processes"
