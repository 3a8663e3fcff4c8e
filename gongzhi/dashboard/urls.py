from django.urls import path

from gongzhi.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("street/", views.street_overview, name="street_overview"),  # the user's street (or the first visible)
    path("street/<int:pk>/", views.street_overview, name="street_overview_for"),
    path("street/<int:pk>/rates/<str:rate>/", views.rate_drilldown, name="rate_drilldown"),
]
