"""The one importer: a profile says how to read a source's export; the importer does the rest."""

from copps.incidents.importing.errors import ImportFailed, RowError
from copps.incidents.importing.profile import Profile, builtin_profiles, load_profile
from copps.incidents.importing.run import ImportResult, import_file

__all__ = ["ImportFailed", "RowError", "Profile", "builtin_profiles", "load_profile", "ImportResult", "import_file"]
