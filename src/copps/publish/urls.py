"""Public portal pages, feeds and open data."""

app_name = "publish"
urlpatterns: list = []
