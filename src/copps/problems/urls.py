"""Staff pages of the problem-solving workspace."""

app_name = "problems"
urlpatterns: list = []
