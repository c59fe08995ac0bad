"""Witaj shared library: what every service needs to speak the platform's language."""
