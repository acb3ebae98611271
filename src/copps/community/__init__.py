"""How residents and businesses talk to the department: Open311 requests, tips, surveys, partnerships."""
