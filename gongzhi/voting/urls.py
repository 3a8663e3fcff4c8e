from django.urls import path

from gongzhi.voting import views

app_name = "voting"

urlpatterns = [
    path("", views.index, name="index"),
    path("assemblies/new/", views.assembly_new, name="assembly_new"),
    path("assemblies/<int:pk>/", views.assembly, name="assembly"),
    path("assemblies/<int:pk>/motions/", views.motion_add, name="motion_add"),
    path("assemblies/<int:pk>/result/", views.result, name="result"),
    path("assemblies/<int:pk>/<slug:action>/", views.assembly_action, name="assembly_action"),
    path("motions/<int:pk>/", views.motion, name="motion"),
    path("motions/<int:pk>/vote/", views.cast, name="cast"),
    path("motions/<int:pk>/participation/", views.participation, name="participation"),
    path("motions/<int:pk>/paper/", views.paper, name="paper"),
    path("motions/<int:pk>/verify/", views.verify, name="verify"),
    path("paper/<int:pk>/confirm/", views.paper_confirm, name="paper_confirm"),
    path("paper/<int:pk>/reject/", views.paper_reject, name="paper_reject"),
    path("ballots/<int:pk>/void/", views.void, name="void"),
    path("petitions/new/", views.petition_new, name="petition_new"),
    path("petitions/<int:pk>/", views.petition, name="petition"),
    path("petitions/<int:pk>/sign/", views.petition_sign, name="petition_sign"),
]
