"""Pages where community and street staff edit the routing table and the time limits (included into work_orders.urls)."""

from django.urls import path

from gongzhi.work_orders.routing import views as views_rules

urlpatterns: list = [
    path("rules/", views_rules.rules_index, name="rules"),
    path("rules/estate/<int:pk>/", views_rules.routing, name="routing"),
    path("rules/estate/<int:pk>/save/", views_rules.routing_save, name="routing_save"),
    path("rules/rule/<int:pk>/deactivate/", views_rules.routing_deactivate, name="routing_deactivate"),
    path("rules/sla/", views_rules.sla, name="sla"),
    path("rules/sla/save/", views_rules.sla_save, name="sla_save"),
    path("rules/sla/<int:pk>/delete/", views_rules.sla_delete, name="sla_delete"),
]
