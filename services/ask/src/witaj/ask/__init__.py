"""Witaj ask service: migrants ask, the city's counsellors answer."""
