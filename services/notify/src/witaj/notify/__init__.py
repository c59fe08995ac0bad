"""Witaj notify service. Subscriptions for anonymous devices and accounts; localized notifications to an in-app inbox with a live stream, e-mail and signed webhooks."""
