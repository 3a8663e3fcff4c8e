from ninja import Router

router = Router(tags=["资金与公共收益"])
