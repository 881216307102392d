"""The alumni app's API (the marketer's workspace): one router, mounted once in ``stagewise.api``, made of a router
per sub-domain. Every endpoint is for marketers and staff (``alumni.permissions.marketer_check``)."""

from ninja import Router

from alumni.api.dashboard import router as dashboard_router
from alumni.api.records import router as records_router

router = Router()
router.add_router("", dashboard_router)
router.add_router("", records_router)
