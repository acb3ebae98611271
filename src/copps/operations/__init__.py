"""The operations room: the ``copps`` command's own commands (demo, serve, simulate, scan, status,
backup, restore) and the code only they use. It may import every other room; no room imports it."""
