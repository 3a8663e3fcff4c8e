from django.urls import path

from gongzhi.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/post/", views.notice_post, name="post"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<int:pk>/told/", views.notice_told, name="told"),
    path("<int:pk>/poster/", views.notice_poster, name="poster"),
    path("mine/", views.my_notices, name="mine"),
    path("mine/<int:pk>/", views.my_notice, name="my_notice"),
]
