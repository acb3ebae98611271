from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "copps.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"
