from django.urls import path

from gongzhi.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo, name="todo"),
    path("mine/", views.my_bills, name="my_bills"),
    path("rates/", views.rates, name="rates"),
    path("estate/<int:estate_pk>/fund/", views.fund, name="fund"),
    path("estate/<int:estate_pk>/fund/open/", views.fund_open, name="fund_open"),
    path("estate/<int:estate_pk>/fund/movement/", views.fund_movement, name="fund_movement"),
    path("estate/<int:estate_pk>/campaign/new/", views.campaign_new, name="campaign_new"),
    path("campaign/<int:pk>/", views.campaign, name="campaign"),
    path("campaign/<int:pk>/review/", views.campaign_review, name="campaign_review"),
    path("campaign/<int:pk>/notices/", views.campaign_notices, name="campaign_notices"),
    path("campaign/<int:pk>/import/", views.campaign_import, name="campaign_import"),
    path("unmatched/<int:pk>/match/", views.unmatched_match, name="unmatched_match"),
    path("bill/<int:pk>/", views.bill, name="bill"),
    path("bill/<int:pk>/pay/", views.bill_pay, name="bill_pay"),
    path("bill/<int:pk>/contact/", views.bill_contact, name="bill_contact"),
    path("estate/<int:estate_pk>/ledger/", views.ledger, name="ledger"),
    path("estate/<int:estate_pk>/ledger/append/", views.ledger_append, name="ledger_append"),
    path("estate/<int:estate_pk>/ledger/close/", views.ledger_close, name="ledger_close"),
    path("ledger/<int:pk>/reverse/", views.ledger_reverse, name="ledger_reverse"),
    path("ledger/<int:pk>/objection/", views.objection_file, name="objection_file"),
    path("objection/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("period/<int:pk>/", views.period, name="period"),
    path("estate/<int:estate_pk>/reviews/", views.reviews, name="reviews"),
    path("estate/<int:estate_pk>/reviews/sign/", views.review_sign, name="review_sign"),
    path("estate/<int:estate_pk>/fees/", views.fees, name="fees"),
    path("estate/<int:estate_pk>/fees/plan/", views.fee_plan, name="fee_plan"),
    path("estate/<int:estate_pk>/fees/issue/", views.fee_issue, name="fee_issue"),
    path("estate/<int:estate_pk>/fees/remind/", views.fee_remind, name="fee_remind"),
    path("fee-bill/<int:pk>/pay/", views.fee_pay, name="fee_pay"),
    path("estate/<int:estate_pk>/splits/", views.split_new, name="split_new"),
    path("split/<int:pk>/", views.split, name="split"),
]
