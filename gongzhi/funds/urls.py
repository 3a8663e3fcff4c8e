from django.urls import path

from gongzhi.funds.views import accounts, campaigns, fees, ledger, oversight, splits

app_name = "funds"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("todo/", campaigns.todo, name="todo"),
    path("mine/", accounts.my_bills, name="my_bills"),
    path("rates/", accounts.rates, name="rates"),
    path("estate/<int:estate_pk>/fund/", accounts.fund, name="fund"),
    path("estate/<int:estate_pk>/fund/open/", accounts.fund_open, name="fund_open"),
    path("estate/<int:estate_pk>/fund/movement/", accounts.fund_movement, name="fund_movement"),
    path("estate/<int:estate_pk>/campaign/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaign/<int:pk>/", campaigns.campaign, name="campaign"),
    path("campaign/<int:pk>/review/", campaigns.campaign_review, name="campaign_review"),
    path("campaign/<int:pk>/notices/", campaigns.campaign_notices, name="campaign_notices"),
    path("campaign/<int:pk>/import/", campaigns.campaign_import, name="campaign_import"),
    path("unmatched/<int:pk>/match/", campaigns.unmatched_match, name="unmatched_match"),
    path("bill/<int:pk>/", campaigns.bill, name="bill"),
    path("bill/<int:pk>/pay/", campaigns.bill_pay, name="bill_pay"),
    path("bill/<int:pk>/contact/", campaigns.bill_contact, name="bill_contact"),
    path("estate/<int:estate_pk>/ledger/", ledger.ledger, name="ledger"),
    path("estate/<int:estate_pk>/ledger/append/", ledger.ledger_append, name="ledger_append"),
    path("estate/<int:estate_pk>/ledger/close/", ledger.ledger_close, name="ledger_close"),
    path("ledger/<int:pk>/reverse/", ledger.ledger_reverse, name="ledger_reverse"),
    path("ledger/<int:pk>/objection/", ledger.objection_file, name="objection_file"),
    path("objection/<int:pk>/answer/", ledger.objection_answer, name="objection_answer"),
    path("period/<int:pk>/", ledger.period, name="period"),
    path("estate/<int:estate_pk>/reviews/", oversight.reviews, name="reviews"),
    path("estate/<int:estate_pk>/reviews/sign/", oversight.review_sign, name="review_sign"),
    path("estate/<int:estate_pk>/fees/", fees.fees, name="fees"),
    path("estate/<int:estate_pk>/fees/plan/", fees.fee_plan, name="fee_plan"),
    path("estate/<int:estate_pk>/fees/issue/", fees.fee_issue, name="fee_issue"),
    path("estate/<int:estate_pk>/fees/remind/", fees.fee_remind, name="fee_remind"),
    path("fee-bill/<int:pk>/pay/", fees.fee_pay, name="fee_pay"),
    path("estate/<int:estate_pk>/splits/", splits.split_new, name="split_new"),
    path("split/<int:pk>/", splits.split, name="split"),
]
