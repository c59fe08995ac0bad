"""The topic tree every new city starts with, read from `default_topics.yaml` beside this module (where
its labels are translated, side by side, like any other text a translator maintains)."""

from __future__ import annotations

from importlib.resources import files

import yaml
from witaj.shared.events import Topic

DEFAULT_TOPICS: tuple[Topic, ...] = tuple(
    Topic.model_validate(topic)
    for topic in yaml.safe_load(files(__package__).joinpath("default_topics.yaml").read_text("utf-8"))
)
