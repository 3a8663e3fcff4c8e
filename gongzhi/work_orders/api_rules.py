"""API of the routing table and the time limits (added to the work-order router)."""

from ninja import Router

router = Router(tags=["工单"])
