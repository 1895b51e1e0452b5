"""``email.send``: a message over SMTP, configured by ``NTRO_SMTP_*``.

Standard library only (``smtplib`` in a worker thread). ``upload_link`` is appended as a line
the recipient can click (a link in HTML mail). A refused recipient or an unreachable server
raises :class:`EmailError` naming the server and the recipient, never the password.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

from pydantic import BaseModel

from ntro.capabilities import config

__all__ = ["EmailError", "EmailReceipt", "send"]

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class EmailError(RuntimeError):
    """The message could not be sent; the message says to whom and through which server."""


class EmailReceipt(BaseModel):
    """What was sent: the ``Message-ID`` and every recipient."""

    message_id: str
    recipients: list[str]
    server: str


def _addresses(value: str | list[str] | None, label: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    addresses = [a.strip() for item in items for a in str(item).split(",") if a.strip()]
    for address in addresses:
        if not _ADDRESS.match(address):
            raise ValueError(
                f"email {label} address {address!r} is not an address (name@example.com)"
            )
    return addresses


def _send_sync(message: EmailMessage, recipients: list[str]) -> str:
    cfg = config.get()
    server = f"{cfg.smtp_host}:{cfg.smtp_port}"
    try:
        with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_s) as smtp:
            if cfg.smtp_starttls:
                smtp.starttls()
            if cfg.smtp_username:
                smtp.login(cfg.smtp_username, cfg.secret("smtp_password") or "")
            refused = smtp.send_message(message, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError:
        raise EmailError(
            f"SMTP server {server} refused the login of {cfg.smtp_username!r}: check NTRO_SMTP_USERNAME and NTRO_SMTP_PASSWORD"
        ) from None
    except smtplib.SMTPRecipientsRefused as err:
        raise EmailError(
            f"SMTP server {server} refused every recipient: {', '.join(err.recipients)}"
        ) from None
    except (smtplib.SMTPException, OSError) as err:
        raise EmailError(
            f"could not send email through {server} ({type(err).__name__}: {err}); check NTRO_SMTP_HOST and NTRO_SMTP_PORT"
        ) from None
    if refused:
        raise EmailError(
            f"SMTP server {server} refused {', '.join(refused)} (the others were sent)"
        )
    return server


async def send(
    *,
    to: str | list[str],
    subject: str,
    body: str,
    upload_link: str | None = None,
    cc: str | list[str] | None = None,
    html: bool = False,
) -> EmailReceipt:
    """Send ``body`` to ``to`` (and ``cc``) from ``NTRO_SMTP_FROM``; returns the receipt."""
    recipients, copies = _addresses(to, "to"), _addresses(cc, "cc")
    if not recipients:
        raise ValueError("email.send needs at least one address in 'to'")
    cfg = config.get()
    message = EmailMessage()
    message["From"] = cfg.smtp_from
    message["To"] = ", ".join(recipients)
    if copies:
        message["Cc"] = ", ".join(copies)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=cfg.smtp_from.rpartition("@")[2] or "localhost")
    if html:
        link = (
            f'<p><a href="{escape(upload_link, quote=True)}">Upload the file</a></p>'
            if upload_link
            else ""
        )
        message.set_content(
            re.sub(r"<[^>]+>", "", body) + (f"\n\nUpload: {upload_link}" if upload_link else "")
        )
        message.add_alternative(body + link, subtype="html")
    else:
        message.set_content(body + (f"\n\nUpload: {upload_link}" if upload_link else ""))
    server = await asyncio.to_thread(_send_sync, message, recipients + copies)
    return EmailReceipt(
        message_id=str(message["Message-ID"]), recipients=recipients + copies, server=server
    )
