"""Password rules for a police department (NIST SP 800-63B style): at least 8 characters, up to
128, any characters, no composition rules, and not one of the passwords attackers try first."""

from __future__ import annotations

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

__all__ = ["BreachedPasswordValidator", "MaximumLengthValidator"]


class BreachedPasswordValidator(CommonPasswordValidator):
    """Refuses passwords on Django's list of 20,000 common passwords (drawn from breach
    corpora), and says why."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                "This password appears in lists of passwords leaked in data breaches and commonly "
                "used, so attackers try it first. Choose a different one; a few unrelated words "
                "make a good passphrase.",
                code="password_too_common",
            ) from None

    def get_help_text(self):
        return "Your password cannot be one that appears in lists of breached or common passwords."


class MaximumLengthValidator:
    """Long passphrases are welcome; the cap only stops absurd inputs. Passwords are never
    truncated (argon2 hashes every character)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is longer than {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password can be up to {self.max_length} characters long."
