"""The alumni app's API (the marketer's workspace): one router, mounted once in ``stagewise.api``, made of a router
per sub-domain. Every endpoint is for marketers and staff (``alumni.permissions.marketer_check``)."""

from ninja import Router

from alumni.api.attribution import router as attribution_router
from alumni.api.campaigns import router as campaigns_router
from alumni.api.coupons import router as coupons_router
from alumni.api.dashboard import router as dashboard_router
from alumni.api.funnel import router as funnel_router
from alumni.api.imports import router as imports_router
from alumni.api.records import router as records_router
from alumni.api.segments import router as segments_router

router = Router()
router.add_router("", dashboard_router)
router.add_router("", coupons_router)
router.add_router("", attribution_router)
router.add_router("", funnel_router)
router.add_router("", segments_router)
router.add_router("", imports_router)
router.add_router("", campaigns_router)
router.add_router("", records_router)
