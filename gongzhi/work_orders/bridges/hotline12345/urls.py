from django.urls import path

from gongzhi.work_orders.bridges.hotline12345 import views as views_hotline

app_name = "hotline12345"
urlpatterns = [
    path("", views_hotline.hotline_import, name="import"),
    path("template/", views_hotline.hotline_template, name="template"),
    path("export/", views_hotline.hotline_export, name="export"),
]
