"""API of the rates and the problem ledger (added to the work-order router)."""

from ninja import Router

router = Router(tags=["工单"])
