"""E-mail over SMTP, with one-click unsubscribe headers (RFC 2369 / RFC 8058)."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from typing import Any

import aiosmtplib
from witaj.notify.settings import SmtpSettings
from witaj.notify.templates import Rendered


def compose(sender: str, recipient: str, delivery: dict[str, Any], unsubscribe_url: str) -> EmailMessage:
    rendered = Rendered(
        delivery["language"], delivery["rtl"], delivery["title"], delivery["body"], delivery.get("link")
    )
    # Long lines allowed so List-Unsubscribe stays a plain <URL> instead of being folded or encoded.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = rendered.title
    # Same Message-ID on every retry: mail systems can drop a repeat if a send is retried after a crash.
    message["Message-ID"] = f"<{hashlib.sha256(delivery['_id'].encode()).hexdigest()[:32]}@witaj>"
    message["Content-Language"] = rendered.language
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = rendered.body + (f"\n\n{rendered.link}" if rendered.link else "")
    message.set_content(text + f"\n\n--\nUnsubscribe: {unsubscribe_url}\n")
    message.add_alternative(rendered.html(), subtype="html")
    return message


async def send(settings: SmtpSettings, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=settings.password.get_secret_value() if settings.password else None,
        start_tls=settings.start_tls,
        timeout=settings.timeout_seconds,
    )
