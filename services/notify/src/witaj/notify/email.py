"""E-mail over SMTP, with one-click unsubscribe headers (RFC 2369 / RFC 8058)."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage

import aiosmtplib
from witaj.notify.settings import SmtpSettings
from witaj.notify.templates import Rendered, RenderedDigest, unsubscribe_text


def compose(
    sender: str, recipient: str, key: str, message: Rendered | RenderedDigest, unsubscribe_url: str
) -> EmailMessage:
    """The e-mail of one delivery (`key`), or of one day's digest, in its language, text and HTML."""
    # Long lines allowed so List-Unsubscribe stays a plain <URL> instead of being folded or encoded.
    mail = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = message.title
    # Same Message-ID on every retry: mail systems can drop a repeat if a send is retried after a crash.
    mail["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@witaj>"
    mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(f"{message.text()}\n\n--\n{unsubscribe_text(message.language, unsubscribe_url)}\n")
    mail.add_alternative(message.html(), subtype="html")
    mail["Content-Language"] = message.language  # after the content: setting it clears Content-* headers
    return mail


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
