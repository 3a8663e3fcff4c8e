from ninja import Router

router = Router(tags=["智慧物业终端"])
