"""Passwords: at least 8 characters, up to 128, no composition rules, no truncation, refused
when they are on the breached/common list (saying why), stored as argon2id."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from tests.accounts.conftest import password_step, signed_in

LONG = "the quick brown fox files a report about the hot spot on fifth street at night"  # 79


def messages(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


def test_seven_characters_are_too_short_eight_are_enough():
    assert any("at least 8" in m for m in messages("qzv7#pk"))
    assert messages("qzv7#pkw") == []


def test_no_composition_rules():
    assert messages("lowercase only passphrase") == []
    assert messages("ünïcödé pässwörd ☂") == []


def test_common_passwords_are_refused_with_the_reason():
    (msg,) = messages("password123")
    assert "breach" in msg and "attackers try it first" in msg


def test_up_to_128_characters_accepted_longer_refused():
    assert messages("x" * 20 + "y" * 108) == []
    assert any("longer than 128" in m for m in messages("x" * 20 + "y" * 109))


@pytest.mark.django_db
def test_long_password_is_not_truncated(django_user_model, client, real_hashers):
    assert len(LONG) > 64
    user = django_user_model.objects.create_user(username="long", password=LONG)
    assert user.check_password(LONG)
    assert not user.check_password(LONG[:63]) and not user.check_password(LONG[:72])
    assert not user.check_password(LONG[:-1])
    response = password_step(client, "long", LONG)
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_hashes_are_argon2id(django_user_model, real_hashers):
    user = django_user_model.objects.create_user(username="h", password=LONG)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")
    assert LONG not in user.password
