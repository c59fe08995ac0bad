"""deploy/README.md documents every setting the services read, generated from the settings classes."""

from __future__ import annotations

import pytest
from deploy_helpers import DEPLOY, SERVICES


def test_the_settings_table_in_the_readme_is_up_to_date(settings_reference):
    text = (DEPLOY / "README.md").read_text()
    assert settings_reference.refreshed(text) == text, "run deploy/tools/settings_reference.py"


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_of_every_service_is_documented(settings_reference, service):
    text = (DEPLOY / "README.md").read_text()
    assert [name for name in settings_reference.catalogue(service) if f"`{name}`" not in text] == []


def test_the_catalogue_sees_nested_and_secret_settings(settings_reference):
    catalogue = settings_reference.catalogue("content")
    assert catalogue["KAFKA__BOOTSTRAP_SERVERS"].default == "127.0.0.1:9092"
    assert catalogue["MONGO__URL"].secret
    assert set(settings_reference.REQUIRED) <= set(catalogue)


def test_every_service_has_its_own_prefix(settings_reference):
    prefixes = {settings_reference.env_prefix(s) for s in SERVICES}
    assert prefixes == {f"WITAJ_{s.upper()}_" for s in SERVICES}
