"""Witaj web app: the migrant app, server-rendered on the services' public APIs."""
