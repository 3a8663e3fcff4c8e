from django.urls import path  # noqa: F401

app_name = "hotline12345"
urlpatterns: list = []
