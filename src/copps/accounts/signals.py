"""Account events that must happen whichever code path causes them: sessions stamped at sign-in,
every session ended at sign-out and when an account is disabled, and every account creation,
change, disabling and role change audited, as is every change of a user's groups or permissions
and of a group's permissions (with the names before and after)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_save, pre_save
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


# Permission grants: (model that holds the grant, its many-to-many field, audit action).
GRANTS = (
    (User, "groups", "account.groups"),
    (User, "user_permissions", "account.permissions"),
    (Group, "permissions", "group.permissions"),
)


def _granted(owner_model, field: str, pk) -> list[str]:
    """The names held through ``field`` by the ``owner_model`` row ``pk``: group names, or
    permissions as ``app_label.codename``."""
    related = getattr(owner_model(pk=pk), field)
    if field == "groups":
        return sorted(related.values_list("name", flat=True))
    return sorted(f"{app}.{code}" for app, code in related.values_list("content_type__app_label", "codename"))


def _owners(owner_model, field: str, instance, reverse: bool, pk_set) -> list:
    """The holders whose grants this change touches, from either side of the relation."""
    if not reverse:
        return [instance.pk]
    if pk_set is not None:
        return sorted(pk_set)
    f = owner_model._meta.get_field(field)
    through = f.remote_field.through
    return list(through.objects.filter(**{f.m2m_reverse_field_name(): instance.pk})
                .values_list(f.m2m_field_name(), flat=True))


def _audit_grants(owner_model, field: str, action_name: str):
    def receiver_(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
        stash = f"_copps_{field}_before"
        if action in ("pre_add", "pre_remove", "pre_clear"):
            owners = _owners(owner_model, field, instance, reverse, pk_set)
            setattr(instance, stash, {pk: _granted(owner_model, field, pk) for pk in owners})
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        request = audit.current_request()
        via = {} if request is not None else {"via": "command"}
        names = dict(owner_model.objects.filter(pk__in=getattr(instance, stash, {}))
                     .values_list("pk", "username" if owner_model is User else "name"))
        for pk, before in getattr(instance, stash, {}).items():
            after = _granted(owner_model, field, pk)
            if after == before:
                continue
            audit.record(action_name, request=request, object_type=owner_model._meta.model_name, object_id=pk,
                         params={**via, "name": names.get(pk, ""), "before": before, "after": after,
                                 "added": sorted(set(after) - set(before)),
                                 "removed": sorted(set(before) - set(after))})
        setattr(instance, stash, {})

    return receiver_


for _model, _field, _action in GRANTS:
    m2m_changed.connect(_audit_grants(_model, _field, _action), weak=False, dispatch_uid=f"copps-audit-{_action}",
                        sender=_model._meta.get_field(_field).remote_field.through)
