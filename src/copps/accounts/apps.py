from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "copps.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from copps.accounts import signals  # noqa: F401  (connects the receivers)
