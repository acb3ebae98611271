"""The offence-description corpora of ``tests/incidents/data/`` (one description a line)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).with_name("data")

# The most ordinary offences the classifier may suppress by erring on the victim's side.
FALSE_SUPPRESSION_BOUND = 0.05


def corpus(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def sensitive_offences() -> list[str]:
    return corpus("sensitive_offences.txt")


def ordinary_offences() -> list[str]:
    return corpus("ordinary_offences.txt")
