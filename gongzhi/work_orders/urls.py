from django.urls import path

from gongzhi.work_orders import views
from gongzhi.work_orders.reports import urls as urls_reports
from gongzhi.work_orders.routing import urls as urls_rules

app_name = "work_orders"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("tasks/", views.tasks, name="tasks"),
    path("overdue/", views.overdue, name="overdue"),
    path("escalations/", views.escalations, name="escalations"),
    path("order/<int:pk>/", views.detail, name="detail"),
    path("order/<int:pk>/photo/<int:photo_pk>/", views.photo, name="photo"),
    path("order/<int:pk>/accept/", views.accept, name="accept"),
    path("order/<int:pk>/assign/", views.assign, name="assign"),
    path("order/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("order/<int:pk>/merge/", views.merge, name="merge"),
    path("order/<int:pk>/arrive/", views.arrive, name="arrive"),
    path("order/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("order/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("order/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("order/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("order/<int:pk>/cancel/", views.cancel, name="cancel"),
]
urlpatterns += urls_reports.urlpatterns + urls_rules.urlpatterns
