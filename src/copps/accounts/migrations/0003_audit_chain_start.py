"""Start the audit chain: hash any rows written before it existed, in order, and create the
chain-head row that writers lock."""

import hashlib
import json
from datetime import UTC

from django.db import migrations

GENESIS = "0" * 64


def _digest(prev: str, row) -> str:
    # Kept in step with copps.accounts.chain (a migration must not import app code that changes).
    content = {
        "at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user": row.user_id,
        "username": row.username,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "outcome": row.outcome,
        "remote_addr": str(row.remote_addr) if row.remote_addr else None,
        "params": row.params,
    }
    body = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(prev.encode() + b"\n" + body).hexdigest()


def forwards(apps, schema_editor):
    AuditLog = apps.get_model("accounts", "AuditLog")
    AuditChainHead = apps.get_model("accounts", "AuditChainHead")
    prev, last_id = GENESIS, 0
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        row.prev_hash = prev
        row.row_hash = prev = _digest(prev, row)
        last_id = row.pk
        row.save(update_fields=["prev_hash", "row_hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_mfa_lockout_sessions_audit_chain")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
