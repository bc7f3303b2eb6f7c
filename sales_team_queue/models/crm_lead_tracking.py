"""What the one door leaves where a CRM user looks first: the change of
salesperson (and of team, queue, stage and type) tracked in the lead's chatter
like Odoo's own tracking, with the method and the reason of the ledger line;
and a lead given to a rep who does not work with leads (CRM's *Leads* setting
off) becomes an opportunity, so that it lands in their pipeline."""

import json

from markupsafe import Markup

from odoo import api, models
from odoo.tools.mail import generate_tracking_message_id

# The fields whose change by the door is tracked in the chatter, as Odoo tracks
# them on a plain write (the door writes with ``mail_notrack``).
TRACKED_FIELDS = ("user_id", "team_id", "queue_id", "stage_id", "type")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _queue_decision_values(self, decision, now, cache):
        # Where the new owner works: a lead may become an opportunity.
        vals = super()._queue_decision_values(decision, now, cache)
        vals.update(
            self._queue_type_values(
                decision.lead, decision.user, now, cache.setdefault("type", {})
            )
        )
        return vals

    @api.model
    def _queue_type_values(self, lead, user, now, cache):
        """Values that turn ``lead`` into an opportunity when it is given to
        ``user`` and ``user`` does not work with leads (CRM's *Leads* setting
        off: no menu lists leads there), as Odoo's conversion does."""
        if not user or lead.type != "lead":
            return {}
        if user.id not in cache:
            cache[user.id] = user.sudo().has_group("crm.group_use_lead")
        if cache[user.id]:
            return {}
        return {"type": "opportunity", "date_conversion": now}

    @api.model
    def _queue_track_owners(self, decisions, before):
        """Log in the chatter of each lead of ``decisions`` its change of
        salesperson, team, queue, stage and type, as Odoo's tracking shows it ("Wei →
        Linh"), with the method and reason of the decision as the message: one
        batch of messages for all the leads (none for their first placement).
        The message is in the language of who made the change, or for a
        scheduled action, of the new salesperson (else the company's).

        :param dict before: {lead id: {field name: value before the door}}
            (see :meth:`_queue_before_door`)
        """
        result = super()._queue_track_owners(decisions, before)
        Tracking = self.env["mail.tracking.value"]
        texts = {}
        values = []
        for decision in decisions:
            lead = decision.lead
            if not before[lead.id]["user_id"] and not before[lead.id]["queue_id"]:
                # The first placement of a lead (by its routing at creation, or
                # later by the backlog) is its initial value, which Odoo does
                # not track: its ledger line tells.
                continue
            env = self._queue_track_env(decision, texts)
            trackings = [
                Tracking._create_tracking_values(
                    before[lead.id][name],
                    lead[name],
                    name,
                    texts[env.lang]["info"][name],
                    lead,
                )
                for name in TRACKED_FIELDS
                if before[lead.id][name] != lead[name]
            ]
            if trackings:
                body = self._queue_track_body(env, decision, texts[env.lang])
                values.append((lead, trackings, body))
        if values:
            self._queue_log_tracking(values)
        return result

    @api.model
    def _queue_track_env(self, decision, texts):
        """The environment (language) of the message of ``decision``, and the
        texts of that language in ``texts`` (read once per language)."""
        lang = (
            self.env.context.get("lang")
            or decision.user.lang
            or decision.lead.company_id.partner_id.lang
            or self.env.user.lang
        )
        env = self.with_context(lang=lang).env
        if lang not in texts:
            Ledger = env["crm.lead.assignment"]
            texts[lang] = {
                "info": env["crm.lead"].fields_get(
                    list(TRACKED_FIELDS), ["type", "string", "selection"]
                ),
                "methods": dict(Ledger._fields["method"]._description_selection(env)),
            }
        return env

    @api.model
    def _queue_track_body(self, env, decision, texts):
        """The message of a tracked change: its method and reason, rendered
        once per distinct method and reason of a batch in a language
        (``texts``)."""
        reason = decision.reason.to_json() if decision.reason else None
        key = json.dumps([decision.method, reason], sort_keys=True)
        if key not in texts:
            method = texts["methods"].get(decision.method, decision.method)
            text = decision.reason.render(env) if decision.reason else ""
            if text:
                texts[key] = Markup("<p>%s: %s</p>") % (method, text)
            else:
                texts[key] = Markup("<p>%s</p>") % method
        return texts[key]

    @api.model
    def _queue_log_tracking(self, values):
        """Create the tracking messages of ``values`` (list of (lead, values of
        its tracking lines, body)), authored by the current user: one insert
        of messages, one of their tracking lines."""
        author = self.env.user.partner_id
        # As mail.thread._message_log_batch: what message_create would read
        # on each lead is given once.
        base = self._queue_tracking_message_base(author)
        messages = self.sudo()._message_create(
            [
                dict(
                    base,
                    res_id=lead.id,
                    body=body,
                    message_id=generate_tracking_message_id("message-notify"),
                )
                for lead, _trackings, body in values
            ]
        )
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(tracking, mail_message_id=message.id)
                for message, (_lead, trackings, _body) in zip(
                    messages, values, strict=True
                )
                for tracking in trackings
            ]
        )

    @api.model
    def _queue_tracking_message_base(self, author):
        """The values shared by the door's tracking messages by ``author``."""
        return {
            "author_id": author.id,
            "email_from": author.email_formatted,
            "model": self._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=author.email_formatted
            )[False],
        }

    @api.model
    def _queue_before_door(self, decisions):
        """The tracked values of the leads of ``decisions`` before the door
        writes them (see :meth:`_queue_track_owners`). When Odoo's own
        tracking holds the value of a field at the start of the transaction
        (an earlier write), that value is taken over, and Odoo's is dropped:
        the change is told once, by the door's message."""
        odoo_initial = self.env.cr.precommit.data.get(f"mail.tracking.{self._name}", {})
        before = super()._queue_before_door(decisions)
        for decision in decisions:
            lead = decision.lead
            initial = odoo_initial.get(lead.id) or {}
            before.setdefault(lead.id, {}).update(
                (name, initial.pop(name) if name in initial else lead[name])
                for name in TRACKED_FIELDS
            )
        return before
