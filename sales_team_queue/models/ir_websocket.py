"""The live pool's bus channel: a pool screen subscribes to the pool channels of the
companies its user works in (see crm_lead_pool_live.py). And the editor channels of
leads that changed hands while their form was open are left out."""

import re

from odoo import models

from .crm_lead_pool_live import POOL_CHANNEL, POOL_SUBCHANNEL

# The channel of a lead's form (web_editor's collaboration on an HTML field).
LEAD_EDITOR_CHANNEL = re.compile(r"editor_collaboration:crm\.lead:\w+:(\d+)$")


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        if POOL_CHANNEL in channels:
            channels = self._live_pool_channels(channels)
        channels = self._lead_editor_channels(channels)
        return super()._build_bus_channel_list(channels)

    def _lead_editor_channels(self, channels):
        """``channels`` without the editor channels of the leads the user may
        no longer edit: a lead that went to someone else while its form was
        open in their browser (an offer declined, a release, a handover).
        web_editor refuses the whole subscription for one such channel (an
        AccessError, logged as an error), and the screen its live updates."""
        lead_ids = {
            channel: int(match[1])
            for channel in channels
            if isinstance(channel, str)
            and (match := LEAD_EDITOR_CHANNEL.match(channel))
        }
        if not lead_ids:
            return channels
        leads = self.env["crm.lead"].browse(set(lead_ids.values())).exists()
        editable = set(leads._filtered_access("write").ids)
        return [
            channel
            for channel in channels
            if not isinstance(channel, str)
            or channel not in lead_ids
            or lead_ids[channel] in editable
        ]

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
