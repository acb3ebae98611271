"""Account events that must happen whichever code path causes them: sessions stamped at sign-in,
every session ended at sign-out and when an account is disabled, and every account creation,
change, disabling and role change audited."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from copps.accounts import audit, sessions
from copps.accounts.models import User

# Fields whose changes are audited by name (the values of secrets never reach the log).
WATCHED = ("username", "email", "first_name", "last_name", "role", "is_active", "is_staff",
           "is_superuser", "password", "locked_at")
SECRET_FIELDS = {"password"}


@receiver(user_logged_in)
def _stamp_session(sender, request, user, **kwargs):
    sessions.start(request.session, user)


@receiver(user_logged_out)
def _end_every_session(sender, request, user, **kwargs):
    if user is None:
        return
    ended = sessions.end_all_sessions(user)
    audit.record("logout", request=request, user=user, object_type="user", object_id=user.pk,
                 params={"sessions_ended": ended})


@receiver(pre_save, sender=User)
def _remember_previous(sender, instance: User, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    instance._copps_before = (
        User.objects.filter(pk=instance.pk).values(*WATCHED).first() if instance.pk else None
    )


@receiver(post_save, sender=User)
def _audit_account(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every sign-in updates last_login; the sign-in itself is audited
    request = audit.current_request()
    via = {} if request is not None else {"via": "command"}
    target = {"object_type": "user", "object_id": instance.pk, "request": request}
    if created:
        audit.record("account.create", **target,
                     params={**via, "username": instance.username, "role": instance.role})
        return
    before = getattr(instance, "_copps_before", None) or {}
    changed = {f: before.get(f) for f in WATCHED if f in before and before[f] != getattr(instance, f)}
    if not changed:
        return
    details = {f: [str(old), str(getattr(instance, f))] for f, old in changed.items()
               if f not in SECRET_FIELDS}
    audit.record("account.change", **target,
                 params={**via, "username": instance.username, "fields": sorted(changed), "values": details})
    if "role" in changed:
        audit.record("account.role_change", **target,
                     params={**via, "username": instance.username, "from": before["role"], "to": instance.role})
    if "is_active" in changed and not instance.is_active:
        ended = sessions.end_all_sessions(instance)
        audit.record("account.disable", **target,
                     params={**via, "username": instance.username, "sessions_ended": ended})
    elif "is_active" in changed:
        audit.record("account.enable", **target, params={**via, "username": instance.username})
