"""Ports for test servers are never ones the system may hand an outgoing connection meanwhile."""

import socket

from witaj.devkit import infra
from witaj.devkit.infra import _ephemeral_ports, free_port


def test_a_free_port_is_outside_the_outgoing_range_bindable_and_given_once() -> None:
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert not set(ports) & set(_ephemeral_ports())
    for port in ports[:5]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))


def test_a_port_something_is_bound_to_is_not_given(monkeypatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        taken = listening.getsockname()[1]
        # Only the taken port and the system's own choice are left to give.
        monkeypatch.setattr(infra, "LISTENING_PORTS", range(taken, taken + 1))
        monkeypatch.setattr(infra, "_ephemeral_ports", lambda: range(0))
        assert free_port() != taken
