from django.urls import path

from gongzhi.devices import views

app_name = "devices"

urlpatterns = [
    path("", views.index, name="index"),
    path("wall/<int:pk>/", views.wall, name="wall"),
    path("wall/<int:pk>/tiles/", views.wall_tiles, name="wall_tiles"),
    path("list/", views.device_list, name="device_list"),
    path("new/", views.device_create, name="device_create"),
    path("device/<int:pk>/", views.device_detail, name="device_detail"),
    path("device/<int:pk>/credentials/", views.device_credentials, name="device_credentials"),
    path("device/<int:pk>/toggle/", views.device_toggle, name="device_toggle"),
    path("alarms/", views.alarm_list, name="alarm_list"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/close/", views.alarm_close, name="alarm_close"),
    path("rules/", views.rule_list, name="rule_list"),
    path("dead-letters/", views.dead_letter_list, name="dead_letters"),
    path("ingest/", views.ingest, name="ingest"),
]
