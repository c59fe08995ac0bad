"""Witaj stats service. Real-time usage and integration indicators per city: time series, breakdowns, top lists, live updates, CSV and JSON-stat exports, with small counts suppressed."""
