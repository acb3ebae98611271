"""Signing in and out, the second factor, the audit log. Names are global (``login``,
``logout``) because Django's LOGIN_URL and the admin refer to them."""

from django.urls import path

from copps.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.verify_view, name="mfa_verify"),
    path("login/enrol/", views.enrol_view, name="mfa_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("audit/", views.audit_log_view, name="audit_log"),
    path("audit/chain/", views.audit_chain_view, name="audit_chain"),
]
