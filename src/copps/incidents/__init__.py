"""Police events (crimes, calls for service, collisions), areas, the offence taxonomy and imports."""
