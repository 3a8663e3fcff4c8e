from django.urls import path

from gongzhi.governance import views

app_name = "governance"
urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("party/", views.party_org_list, name="party_org_list"),
    path("party/<int:pk>/", views.party_org_detail, name="party_org_detail"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
]
