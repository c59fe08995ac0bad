"""The stats processor's Kafka identity for faust, from the same settings as every aiokafka client.

faust builds its own producers, consumers and admin client from `broker_credentials`, so the processor's
SASL user and TLS context must reach it in faust's form; `KafkaSettings.client_options` stays the one
place that decides them.
"""

from __future__ import annotations

import ssl

from faust.auth import SASLCredentials, SSLCredentials
from faust.types.auth import CredentialsT
from witaj.shared.settings import KafkaSettings


def broker_credentials(kafka: KafkaSettings) -> CredentialsT | None:
    """faust's credentials for these settings; None for a plaintext broker (development)."""
    options = kafka.client_options()
    context = options.get("ssl_context")
    assert context is None or isinstance(context, ssl.SSLContext)
    if kafka.authenticated:
        return SASLCredentials(
            username=str(options["sasl_plain_username"]),
            password=str(options["sasl_plain_password"]),
            mechanism=str(options["sasl_mechanism"]),
            ssl_context=context,
        )
    if context is not None:
        return SSLCredentials(context)
    return None
