"""The cohorts app's API: one router, mounted once in ``stagewise.api``, made of a router per sub-domain.

Django tries an API path against each pattern in turn, so the busiest sub-routers come first (check-ins, then the
feed); ``tests/test_api_errors.py`` checks that no route swallows a later one.
"""

from ninja import Router

from cohorts.api.awards import router as awards_router
from cohorts.api.certificates import router as certificates_router
from cohorts.api.checkins import router as checkins_router
from cohorts.api.cohorts import router as cohorts_router
from cohorts.api.credentials import router as credentials_router
from cohorts.api.feed import router as feed_router
from cohorts.api.outcomes import router as outcomes_router
from cohorts.api.rules import router as rules_router
from cohorts.api.survey import router as survey_router
from cohorts.api.webhooks import router as webhooks_router

router = Router()
router.add_router("", checkins_router)
router.add_router("", feed_router)
router.add_router("", cohorts_router)
router.add_router("", rules_router)
router.add_router("", webhooks_router)
router.add_router("", outcomes_router)
router.add_router("", credentials_router)
router.add_router("", survey_router)
router.add_router("", awards_router)
router.add_router("", certificates_router)
