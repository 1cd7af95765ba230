"""A deal saved as won (by the API, the UI or the admin) wakes the open boards."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from attain.leaderboards.hooks import deal_won
from attain.sales.models import Deal


@receiver(post_save, sender=Deal, dispatch_uid="leaderboards_deal_saved")
def deal_saved(sender, instance: Deal, **kwargs) -> None:
    if instance.status == Deal.Status.WON and instance.cancellation_date is None:
        deal_won(instance)
