"""Forms for signing in, enrolling an authenticator, and reading the audit log."""

from __future__ import annotations

from django import forms

from copps.accounts.models import AuditLog


class LoginForm(forms.Form):
    username = forms.CharField(label="User name", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    # No maximum beyond a guard against absurd posts: long passphrases are welcome (and never
    # truncated); the password validators cap new passwords at 128 characters.
    password = forms.CharField(label="Password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "spellcheck": "false"}),
    )


class EnrolForm(forms.Form):
    """Enrolling an authenticator: the enrolment code an administrator gave, and the app's first code."""

    enrolment_code = forms.CharField(
        label="Enrolment code", max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Code from the app", max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    action = forms.CharField(required=False, max_length=64)
    object_type = forms.CharField(required=False, max_length=64)
    object_id = forms.CharField(required=False, max_length=64)
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AuditLog.Outcome.choices], help_text="denied: the refusals"
    )
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self):
        qs = AuditLog.objects.all()
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        for field in ("username", "action", "object_type", "object_id", "outcome"):
            if data[field]:
                qs = qs.filter(**{field: data[field]})
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs
