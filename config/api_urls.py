"""The JSON API: /api/v1/ (django-ninja), its OpenAPI document and docs."""

from django.urls import path

from config.api import api

urlpatterns = [
    path("v1/", api.urls),
]
