"""Every view copps serves, found by walking the URLconf and every django-ninja API's OpenAPI
schema, and what each role may do with it, declared as data.

``RULES`` maps a URL (its qualified name and route, e.g. ``problems:edit /problems/<int:pk>/edit/``)
to the outcome expected for each role; the first rule whose pattern matches wins. A view that
no rule matches makes the matrix test fail with its name, so a new view needs a rule before it
ships. Patterns go by namespace first, so views added to an existing namespace are covered by
that namespace's rule at once.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from functools import partial

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

ROLES = (
    "anonymous",
    "disabled",
    "resident",
    "auditor",
    "officer_other",
    "officer",
    "analyst",
    "supervisor",
    "admin",
)
STAFF = ("officer_other", "officer", "analyst", "supervisor", "admin")

# Outcomes. ok: served (not refused, no 5xx); any: anything but a 5xx; login: sent to sign in
# (a redirect to the login page, or 401 from a JSON API); forbidden: 403; denied: any refusal
# (login, 401, 403, 404). A POST-only view may answer 405 to a GET instead of a refusal.
OK, ANY, LOGIN, FORBIDDEN, DENIED = "ok", "any", "login", "forbidden", "denied"


def outcomes(default: str, **per_role: str) -> dict[str, str]:
    return {role: per_role.get(role, default) for role in ROLES}


def staff_only(staff: str = OK, **per_role: str) -> dict[str, str]:
    """Department staff get ``staff``; residents and auditors 403; anonymous and disabled sign in."""
    base = {"anonymous": LOGIN, "disabled": LOGIN, "resident": FORBIDDEN, "auditor": FORBIDDEN}
    return {**base, **{r: staff for r in STAFF}, **per_role}


PUBLIC = outcomes(OK)
OPEN = outcomes(ANY)  # sign-in steps, Open311 (answers depend on the api_key, not the role)
STAFF_PAGE = staff_only()
# Other rooms' new staff views: staff may get a 403 for a finer rule of their own.
STAFF_ANY = staff_only(ANY)
WORK = staff_only(officer_other=FORBIDDEN)  # someone else's problem: the unassigned officer may read, not change
CREATE = staff_only(officer=FORBIDDEN, officer_other=FORBIDDEN)
ANALYSE = staff_only(officer=FORBIDDEN, officer_other=FORBIDDEN, supervisor=FORBIDDEN)
ASSIGN = staff_only(officer=FORBIDDEN, officer_other=FORBIDDEN, analyst=FORBIDDEN)
# importing a file from the browser: analysts and administrators (copps/incidents/import_views.py)
IMPORT = staff_only(officer=FORBIDDEN, officer_other=FORBIDDEN, supervisor=FORBIDDEN)
AUDITOR = {**outcomes(FORBIDDEN), "anonymous": LOGIN, "disabled": LOGIN, "auditor": OK}
ADMIN_SITE = {**outcomes(LOGIN), "admin": ANY}  # Django's admin sends everyone else to its sign-in

RULES: list[tuple[str, dict[str, str]]] = [
    # sign-in: the form and its steps answer everyone; the logout and admin-login redirects too
    (r"^(login|mfa_verify|mfa_enrol|logout|\?) /(accounts/|admin/login/)", OPEN),
    (r"^set_language ", OPEN),
    (r"^audit_log ", AUDITOR),
    # the chain's verification in the browser (issue 20): auditors and administrators
    (r"^audit_chain ", {**AUDITOR, "admin": OK}),
    (r"^admin:logout ", OPEN),
    (r"^admin:", ADMIN_SITE),
    (r":api-root ", OPEN),  # django-ninja's root: a 404 for everyone
    (r"^home /$", PUBLIC),  # the residents' front door (signed-in staff are sent on to their start page)
    (r"^incidents:(import|import-start) ", IMPORT),
    # the events list's exports: whoever may read the list may take its filtered events away
    (r"^incidents:export-(csv|geojson|gpkg) ", STAFF_PAGE),
    (r"^incidents:", STAFF_PAGE),
    (r"^jobs:", STAFF_PAGE),  # the background jobs: every staff role sees what is queued and why
    (r"^healthz /healthz$", PUBLIC),  # for load balancers: no sign-in, nothing private
    # the staff API's schema is for staff too (issue 13): it maps the staff operations
    (r"^api:", STAFF_PAGE),
    (r"^open311:", OPEN),
    # the matrix's problem is not marked public: its public page must not exist for anyone
    (r"^publish:(problem|problem_area) ", outcomes(DENIED)),
    (r"^publish:", PUBLIC),
    (
        r"^problems:(edit|add_triangle|delete_triangle|add_hypothesis|edit_hypothesis|add_note|add_partner|edit_plan"
        r"|add_objective|add_task|update_task|link_events|link_external|request_stage) ",
        WORK,
    ),
    (r"^problems:new ", CREATE),
    (r"^problems:(assessment_new|scan|promote|dismiss) ", ANALYSE),
    # "Waiting for me" (the stage changes to decide, problems gone quiet) is the supervisors'
    (r"^problems:(assign|stage_queue|decide_stage|waiting) ", ASSIGN),
    (r"^problems:my_work ", STAFF_PAGE),
    # near-repeat prevention: staff read the windows; a task is done by its officer (not another
    # beat's), analysts, supervisors and administrators; staff ask for the cocoon letter
    (r"^problems:(prevention|prevention_window) ", STAFF_PAGE),
    (r"^problems:prevention_task_done ", WORK),
    (r"^reports:cocoon-pdf ", STAFF_PAGE),  # "My work": every member of staff sees what is theirs
    # the crash page and the candidates map read by every member of staff; saving a crash
    # analysis to a problem is the analysts' (like running one on the problem's page)
    (r"^problems:(crashes|candidates_geojson) ", STAFF_PAGE),
    (r"^problems:crashes_save ", ANALYSE),
    # the dashboard's analysis workspace (issue 19): staff read it and take its view away as PNG/PDF;
    # saving it to a problem is running an analysis of that problem
    (r"^problems:(dashboard|hotspots) ", STAFF_PAGE),
    (r"^reports:workspace-(png|pdf) ", STAFF_PAGE),
    (r"^problems:save_workspace ", ANALYSE),
    (r"^problems:(list|detail|assessment|candidates|candidate|partners|partner_new|partner_edit) ", STAFF_PAGE),
    (r"^problems:", STAFF_ANY),
    (r"^reports:", STAFF_ANY),
    # the triage queue at city scale (issue 20): its map (exact points, audited) and its bulk
    # actions are for every member of staff, like the queue itself
    (r"^community:(staff-queue|staff-queue-map|staff-bulk) ", STAFF_PAGE),
    (r"^community:staff-", STAFF_ANY),
    (
        r"^community:(report|report-details|nearby|already-reported|track-lookup|track|track-photo|tip|tip-read"
        r"|tip-answer|tip-asset) ",
        PUBLIC,
    ),
    (r"^engagement:staff_", STAFF_ANY),
    (
        r"^engagement:(home|survey|survey_results|meetings|meetings_ics|beat_officer|subscribe|subscribe_near|follow"
        r"|confirm|unsubscribe|unsubscribe_one_click|watch_groups|watch_join|watch_confirm) ",
        PUBLIC,
    ),
]


def expectations(key: str) -> dict[str, str] | None:
    for pattern, expected in RULES:
        if re.search(pattern, key):
            return expected
    return None


@dataclass
class View:
    """One URL pattern: its qualified name, route (with converters) and the path to request."""

    qualname: str
    route: str
    kwargs: dict[str, str] = field(default_factory=dict)  # kwarg -> converter name
    regex: bool = False
    methods: set[str] = field(default_factory=lambda: {"GET", "POST"})
    from_schema: bool = False

    @property
    def key(self) -> str:
        return f"{self.qualname} /{self.route}"

    def path(self, value) -> str:
        """The path with each kwarg replaced by ``value(view, kwarg, converter)``."""
        route = self.route
        if self.regex:
            route = route.replace("^", "").replace("$", "").replace("\\", "")
            route = _GROUP.sub(lambda m: value(self, m[1], "str"), route)
        return "/" + _CONVERTER.sub(lambda m: value(self, m[2], m[1] or "str"), route)


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"(?<!\?P)<(?:(\w+):)?(\w+)>")


def walk(resolver=None, prefix: str = "", namespaces: tuple[str, ...] = (), regex: bool = False) -> list[View]:
    """Every URLPattern under ``resolver`` (the root URLconf by default), recursively."""
    resolver = resolver or get_resolver()
    views = []
    for entry in resolver.url_patterns:
        is_regex = isinstance(entry.pattern, RegexPattern)
        text = entry.pattern._regex.lstrip("^") if is_regex else str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            views += walk(entry, prefix + text.removesuffix("$"), ns, regex or is_regex)
        elif isinstance(entry, URLPattern):
            route = prefix + text
            kwargs = dict.fromkeys(re.findall(r"\(\?P<(\w+)>", route), "str")
            kwargs.update({n: c or "str" for c, n in _CONVERTER.findall(route)})
            views.append(View(":".join((*namespaces, entry.name or "?")), route, kwargs, regex=regex or is_regex))
    return views


def ninja_apis() -> list:
    """The django-ninja APIs mounted in the URLconf (found through their openapi.json views)."""
    apis = []
    for entry in _all_patterns(get_resolver()):
        callback = inspect.unwrap(entry.callback)  # under the staff API's sign-in check
        if isinstance(callback, partial) and "api" in callback.keywords and callback.keywords["api"] not in apis:
            apis.append(callback.keywords["api"])
    return apis


def _all_patterns(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _all_patterns(entry)
        else:
            yield entry


def schema_operations() -> list[tuple[str, str, str]]:
    """(api title, METHOD, path template) of every operation in every ninja API's OpenAPI schema."""
    ops = []
    for api in ninja_apis():
        schema = api.get_openapi_schema()
        for path, item in schema["paths"].items():
            for method in item:
                if method in {"get", "post", "put", "patch", "delete"}:
                    ops.append((api.title, method.upper(), path))
    return ops
