from ninja import Router

router = Router(tags=["业主大会表决"])
