"""Witaj development kit: the embedded broker and database, `make run`, and the pytest fixtures."""
