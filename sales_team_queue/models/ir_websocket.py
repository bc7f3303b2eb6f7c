"""The live pool's bus channel: a pool screen subscribes to the pool channels of the
companies its user works in (see crm_lead_pool_live.py)."""

from odoo import models

from .crm_lead_pool_live import POOL_CHANNEL, POOL_SUBCHANNEL


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        if POOL_CHANNEL in channels:
            channels = self._live_pool_channels(channels)
        return super()._build_bus_channel_list(channels)

    def _live_pool_channels(self, channels):
        """``channels`` where the ``POOL_CHANNEL`` a pool screen asks for is
        replaced by the pool channels of the companies the user works in (and
        of the leads of no company) for an internal sales user, by nothing for
        anybody else."""
        channels = [channel for channel in channels if channel != POOL_CHANNEL]
        user = self.env.user
        if (
            user
            and user._is_internal()
            and user.has_group("sales_team.group_sale_salesman")
        ):
            Lead = self.env["crm.lead"]
            channels.extend(
                (Lead._live_channel_record(company.id), POOL_SUBCHANNEL)
                for company in user.company_ids
            )
            channels.append((Lead._live_channel_record(False), POOL_SUBCHANNEL))
        return channels
