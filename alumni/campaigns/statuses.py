"""A campaign's statuses and the one table of its allowed transitions.

One-off: ``draft → scheduled → sending → done``; lifecycle: ``draft → active ⇄ paused``. Either may be cancelled
until it is done; a scheduled or sending one-off may be paused and resumed (back to scheduled: the due check moves
it on). Changes are conditional updates (``campaign_transition``).
"""

from alumni.models import CampaignStatus, DeliveryStatus

CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.SCHEDULED, CampaignStatus.ACTIVE, CampaignStatus.CANCELLED}),
    CampaignStatus.SCHEDULED: frozenset(
        {CampaignStatus.DRAFT, CampaignStatus.SENDING, CampaignStatus.PAUSED, CampaignStatus.CANCELLED}
    ),
    CampaignStatus.SENDING: frozenset({CampaignStatus.DONE, CampaignStatus.PAUSED, CampaignStatus.CANCELLED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.CANCELLED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.SCHEDULED, CampaignStatus.CANCELLED}),
    CampaignStatus.DONE: frozenset(),
    CampaignStatus.CANCELLED: frozenset(),
}

# Campaigns whose pending deliveries workers send.
SENDABLE = (CampaignStatus.SENDING, CampaignStatus.ACTIVE)
# Campaigns a marketer may still edit.
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED)

# Delivery: pending → sent | capped | suppressed | failed; held_out is decided when planned and final.
DELIVERY_FINAL = frozenset(
    {
        DeliveryStatus.SENT,
        DeliveryStatus.HELD_OUT,
        DeliveryStatus.CAPPED,
        DeliveryStatus.SUPPRESSED,
        DeliveryStatus.FAILED,
    }
)
