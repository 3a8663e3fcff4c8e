from django.urls import path

from gongzhi.registry import views
from gongzhi.registry.roster import views as roster_views

app_name = "registry"
urlpatterns = [
    # Estates, units, people (views.py)
    path("estates/", views.estate_list, name="estate_list"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("estates/<int:pk>/units/", views.estate_units, name="estate_units"),  # htmx fragment: search + pagination
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),  # POST: unmasked, audited
    path("me/", views.my_home, name="my_home"),  # the resident's phone page
    # Roster import/export (roster/views.py)
    path("import/", roster_views.roster_import, name="roster_import"),
    path("import/template.xlsx", roster_views.roster_template, name="roster_template"),
    path("import/<int:pk>/", roster_views.roster_import_status, name="roster_import_status"),
    path("estates/<int:pk>/roster.xlsx", roster_views.roster_export, name="roster_export"),
]
