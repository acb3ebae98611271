"""Public and staff pages of the community front door (Open311 lives in open311_urls.py)."""

app_name = "community"
urlpatterns: list = []
