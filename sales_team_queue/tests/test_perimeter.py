"""The perimeter around the one door, tried as a hostile client would: each user
logs in with their own password and calls Odoo over XML-RPC, as any script can.

Team *Alpha* (leader ``leader``, an own-documents salesperson who is not a
member; members ``rep`` and ``mate``) has a pool queue with a daily claim limit
of 1 and a VIP tier for seniors; team *Bravo* (leader ``bravo_leader``, member
``bravo_rep``) has a queue of its own. ``manager`` is a sales manager,
``other_co`` a sales manager of another company, ``portal`` a portal user.

Every attempt listed by the issue "walls around the one door" is one test: it
asserts that the attempt is refused (or, where the door turns it into something
legitimate, what it became) and that the lead is left as it was.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import SALESMAN
from .common_rpc import TwoTeamsRpcCase


@tagged("post_install", "-at_install")
class TestPerimeterRpc(TwoTeamsRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._two_teams_cast("pm", "")
        env = cls.env
        cls.pool_queue = env["crm.team.queue"].create(
            {
                "name": "Alpha Pool",
                "team_id": cls.alpha.id,
                "strategy": "pool",
                "claim_daily_limit": 1,
                "vip_min_revenue": 5000,
                "vip_release_minutes": 60,
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [
                    Command.create({"user_id": cls.rep.id}),
                    Command.create({"user_id": cls.mate.id, "is_senior": True}),
                ],
            }
        )
        cls.bravo_queue = env["crm.team.queue"].create(
            {
                "name": "Bravo Queue",
                "team_id": cls.bravo.id,
                "strategy": "round_robin",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create({"user_id": cls.bravo_rep.id})],
            }
        )

    def setUp(self):
        super().setUp()
        Lead = self.env["crm.lead"].with_user(self.manager)
        values = {"team_id": self.alpha.id, "user_id": False, "type": "lead"}
        self.pool_lead, self.vip_lead, self.spare = Lead.create(
            [
                dict(values, name="Pool lead", email_from="buyer@customer.example"),
                dict(values, name="VIP lead", expected_revenue=9000),
                dict(values, name="Spare pool lead"),
            ]
        )
        self.own = Lead.create(
            {"name": "Rep's lead", "team_id": self.alpha.id, "user_id": self.rep.id}
        )
        self.mates = Lead.create(
            {"name": "Mate's lead", "team_id": self.alpha.id, "user_id": self.mate.id}
        )
        self.assertEqual(
            (self.pool_lead | self.vip_lead | self.spare).mapped("queue_state"),
            ["pool"] * 3,
        )
        self.assertEqual(self.pool_lead.company_id, self.env.company)

    # ------------------------------------------------------------

    def _state(self, lead):
        self.env.invalidate_all()
        lead = lead.sudo()
        return (
            lead.user_id,
            lead.team_id,
            lead.queue_id,
            lead.queue_state,
            lead.pool_date,
            lead.is_vip,
            lead.expected_revenue,
            lead.type,
            lead.active,
            len(lead.assignment_ids),
        )

    def _assert_rep_writes_refused(self, lead, vals_list, text=None):
        """The rep's write of each of ``vals_list`` on ``lead`` is refused (saying
        ``text``, if given) and changes nothing of :meth:`_state`."""
        before = self._state(lead)
        for vals in vals_list:
            refusal = self._refused(self.rep, "crm.lead", "write", [lead.id], vals)
            if text:
                self.assertIn(text, refusal)
            self.assertEqual(self._state(lead), before, vals)

    def _rep_sets_salesperson(self, lead, user):
        """The rep makes ``user`` the salesperson of ``lead`` over RPC; return
        how the ledger line it writes says it happened (its method)."""
        self._rpc(self.rep, "crm.lead", "write", [lead.id], {"user_id": user.id})
        self.env.invalidate_all()
        self.assertEqual(lead.user_id, user)
        return lead.assignment_ids.sorted("id")[-1].method

    def _claim_limit_reached(self):
        """The rep claims their one lead of the day."""
        self._rpc(self.rep, "crm.lead", "action_claim", [self.spare.id])
        self.env.invalidate_all()
        self.assertEqual(self.spare.user_id, self.rep)

    # ------------------------------------------------------------
    # Routing fields are server-owned
    # ------------------------------------------------------------

    def test_rep_cannot_take_a_pool_lead_out_of_its_queue(self):
        self._assert_rep_writes_refused(
            self.pool_lead,
            [
                {"queue_id": False},
                {"team_id": self.bravo.id},
                {"team_id": False},
                {"queue_id": self.bravo_queue.id},
            ],
        )

    def test_rep_cannot_forge_pool_date_or_vip(self):
        self._assert_rep_writes_refused(
            self.vip_lead,
            [
                {"pool_date": "2020-01-01 00:00:00"},
                {"is_vip": False},
                {"queue_state": "assigned"},
            ],
            "set by the queues",
        )
        # On their own lead too: the fields are the server's whatever the lead.
        self._refused(
            self.rep, "crm.lead", "write", [self.own.id], {"pool_date": "2020-01-01"}
        )
        self.assertFalse(self.own.pool_date)

    def test_nobody_sets_routing_fields_at_creation_or_import(self):
        for user in (self.rep, self.leader, self.manager):
            self._refused(
                user,
                "crm.lead",
                "create",
                {"name": "Forged", "queue_id": self.pool_queue.id},
            )
        with mute_logger("odoo.models"):
            result = self._rpc(
                self.manager,
                "crm.lead",
                "load",
                ["name", "pool_date"],
                [["Imported", "2020-01-01 00:00:00"]],
            )
        self.assertFalse(result["ids"], "the import saves nothing")
        self.assertIn("In Pool Since", str(result["messages"]))
        self.assertFalse(
            self.env["crm.lead"].search([("name", "in", ("Forged", "Imported"))])
        )

    def test_ledger_and_history_lines_cannot_be_written_through_the_lead(self):
        line = self.own.assignment_ids[:1]
        self.assertTrue(line, "the salesperson given at creation has its line")
        for vals in (
            # (x2many commands as an RPC client sends them)
            {"assignment_ids": [(3, line.id, 0)]},
            {"assignment_ids": [(0, 0, {"user_id": self.rep.id})]},
            {"stage_history_ids": [(5, 0, 0)]},
        ):
            self._refused(self.manager, "crm.lead", "write", [self.own.id], vals)
        self.assertTrue(line.exists())

    def test_sla_fields_only_for_managers(self):
        self._refused(
            self.leader, "crm.lead", "write", [self.own.id], {"sla_state": "met"}
        )
        self._rpc(self.manager, "crm.lead", "write", [self.own.id], {"sla_warned": 1})
        self.env.invalidate_all()
        self.assertTrue(self.own.sla_warned, "a manager may correct a timer")

    def test_owner_and_team_together_do_not_get_past_the_claim_limit(self):
        self._claim_limit_reached()
        self._assert_rep_writes_refused(
            self.pool_lead,
            [
                {"user_id": self.rep.id, "team_id": self.bravo.id},
                {"user_id": self.rep.id, "team_id": self.alpha.id},
                {"user_id": self.rep.id, "queue_id": False},
                {"user_id": self.rep.id, "name": "Mine now"},
            ],
        )
        # The claim itself (a write of themselves) meets the limit.
        text = self._refused(
            self.rep, "crm.lead", "write", [self.pool_lead.id], {"user_id": self.rep.id}
        )
        self.assertIn("Daily claim limit", text)

    # ------------------------------------------------------------
    # A pool lead is the queue's until claimed
    # ------------------------------------------------------------

    def test_rep_cannot_edit_a_pool_lead(self):
        self._assert_rep_writes_refused(
            self.vip_lead,
            [
                {"expected_revenue": 10},
                {"priority": "0"},
                {"tag_ids": [(0, 0, {"name": "Skill bypass"})]},
                {"active": False},
                {"type": "opportunity"},
            ],
            "Claim it first",
        )

    def test_rep_cannot_give_a_pool_lead_away(self):
        self._assert_rep_writes_refused(
            self.pool_lead,
            [
                {"user_id": receiver.id}
                for receiver in (self.mate, self.bravo_rep, self.leader)
            ],
        )
        self.assertEqual(self.pool_lead.queue_state, "pool")

    def test_rep_cannot_merge_a_pool_lead_into_their_own(self):
        self._claim_limit_reached()
        wizard = self._rpc(
            self.rep,
            "crm.merge.opportunity",
            "create",
            {"opportunity_ids": [(6, 0, [self.spare.id, self.pool_lead.id])]},
        )
        text = self._refused(
            self.rep, "crm.merge.opportunity", "action_merge", [wizard]
        )
        self.assertIn("cannot merge", text)
        self.assertTrue(self.pool_lead.exists())
        self.assertEqual(self.pool_lead.queue_state, "pool")

    def test_rep_cannot_convert_or_delete_a_pool_lead(self):
        wizard = self._rpc(
            self.rep,
            "crm.lead2opportunity.partner",
            "create",
            {"lead_id": self.pool_lead.id, "name": "convert", "action": "nothing"},
            context={"active_model": "crm.lead", "active_id": self.pool_lead.id},
        )
        self._refused(
            self.rep,
            "crm.lead2opportunity.partner",
            "action_apply",
            [wizard],
            context={"active_model": "crm.lead", "active_ids": [self.pool_lead.id]},
        )
        self.assertEqual(self.pool_lead.type, "lead")
        self._refused(self.rep, "crm.lead", "unlink", [self.pool_lead.id])
        self.assertTrue(self.pool_lead.exists())

    def test_leader_of_another_team_cannot_touch_the_pool(self):
        before = self._state(self.pool_lead)
        self._refused(
            self.bravo_leader,
            "crm.lead",
            "write",
            [self.pool_lead.id],
            {"user_id": self.bravo_rep.id},
        )
        self._refused(
            self.bravo_leader,
            "crm.lead",
            "write",
            [self.pool_lead.id],
            {"team_id": self.bravo.id},
        )
        self.assertEqual(self._state(self.pool_lead), before)

    def test_the_team_leader_and_managers_steer_the_pool(self):
        self._rpc(
            self.leader,
            "crm.lead",
            "write",
            [self.pool_lead.id],
            {"expected_revenue": 42},
        )
        self._rpc(
            self.manager,
            "crm.lead",
            "write",
            [self.vip_lead.id],
            {"user_id": self.mate.id},
        )
        self.env.invalidate_all()
        self.assertEqual(self.pool_lead.expected_revenue, 42)
        self.assertEqual(self.vip_lead.user_id, self.mate)
        self.assertEqual(self.vip_lead.assignment_ids.sorted("id")[-1].method, "manual")

    def test_portal_and_other_company_cannot_reach_the_pool(self):
        for user in (self.portal, self.other_co):
            self._refused(user, "crm.lead", "write", [self.pool_lead.id], {"name": "x"})
            self._refused(user, "crm.lead", "action_claim", [self.pool_lead.id])
        self.assertEqual(self.pool_lead.queue_state, "pool")

    def test_other_company_cannot_open_a_queue_figure(self):
        # A sales manager steers every team of their company, not another
        # company's queues: no figure of one, not even its name in a title.
        for figure in ("pool", "members", "waiting"):
            with self.subTest(figure=figure):
                text = self._refused(
                    self.other_co,
                    "crm.team.queue",
                    "action_dashboard_open",
                    self.pool_queue.ids,
                    context={"dashboard_figure": figure},
                )
                self.assertNotIn(self.pool_queue.name, text)
        # Test Routing of the queue (its dialog's onchange) neither.
        values = {
            "queue_id": self.pool_queue.id,
            "scope": "all_teams",
            "lead_domain": "[]",
            "limit": 10,
        }
        spec = {
            "team_id": {"fields": {"display_name": {}}},
            "line_ids": {"fields": {"lead_id": {"fields": {"display_name": {}}}}},
        }
        text = self._refused(
            self.other_co,
            "crm.team.queue.simulation",
            "onchange",
            [],
            values,
            list(values),
            spec,
        )
        self.assertNotIn(self.pool_queue.name, text)
        self.assertNotIn(self.alpha.name, text)

    # ------------------------------------------------------------
    # What the assign wizard refuses, every path refuses
    # ------------------------------------------------------------

    def test_whole_team_rep_cannot_take_or_empty_a_teammates_lead(self):
        self.alpha.lead_visibility = "team"
        for vals in (
            {"user_id": self.rep.id},
            {"user_id": False},
            {"user_id": self.rep.id, "team_id": self.alpha.id},
        ):
            text = self._refused(self.rep, "crm.lead", "write", [self.mates.id], vals)
            self.assertIn("Only a sales manager or the team leader", text)
        self.assertEqual(self.mates.user_id, self.mate)
        # Editing it is what "whole team" visibility is for.
        self._rpc(self.rep, "crm.lead", "write", [self.mates.id], {"priority": "2"})

    def test_whole_team_rep_cannot_move_a_teammates_lead_out_of_the_team(self):
        # Out of the team first, then "mine": the first step is refused.
        self.alpha.lead_visibility = "team"
        for team in (False, self.bravo.id):
            self._refused(
                self.rep, "crm.lead", "write", [self.mates.id], {"team_id": team}
            )
        self.assertEqual(
            (self.mates.user_id, self.mates.team_id), (self.mate, self.alpha)
        )

    def test_leader_of_another_team_cannot_pull_a_lead_into_their_team(self):
        self.bravo_leader.groups_id += self.env.ref(
            "sales_team.group_sale_salesman_all_leads"
        )
        text = self._refused(
            self.bravo_leader,
            "crm.lead",
            "write",
            [self.own.id],
            {"team_id": self.bravo.id},
        )
        self.assertIn("Only a sales manager or the team leader", text)
        self.assertEqual(self.own.team_id, self.alpha)

    def test_rep_cannot_take_an_unrouted_lead_of_a_queue_team(self):
        # A lead left unrouted (here: created with routing off, as if its
        # routing were waiting) is the queues', not the fastest rep's.
        unrouted = self.env["crm.lead"].create(
            {"name": "Unrouted", "team_id": self.alpha.id, "user_id": False}
        )
        unrouted.sudo().write({"queue_id": False})
        self.assertEqual(unrouted.queue_state, "unrouted")
        self._refused(
            self.rep, "crm.lead", "write", [unrouted.id], {"user_id": self.rep.id}
        )
        self.assertFalse(unrouted.user_id)

    def test_context_defaults_cannot_set_routing_fields(self):
        for key, value in (
            ("default_queue_id", self.pool_queue.id),
            ("default_pool_date", "2020-01-01 00:00:00"),
            ("default_sla_state", "met"),
            ("default_is_vip", True),
        ):
            self._refused(
                self.rep,
                "crm.lead",
                "create",
                {"name": f"Forged {key}", "team_id": self.alpha.id},
                context={key: value},
            )
            self._refused(
                self.rep,
                "crm.lead",
                "name_create",
                f"Forged by name {key}",
                context={key: value},
            )
        self.assertFalse(self.env["crm.lead"].search([("name", "like", "Forged")]))

    def test_own_defaults_cannot_set_routing_fields(self):
        # Defaults a user keeps for themselves (ir.default, which any user
        # may set) reach a create after its checks, like the context's.
        for field, value in (
            ("queue_id", self.bravo_queue.id),
            ("pool_date", "2020-01-01 00:00:00"),
            ("sla_state", "met"),
            ("is_vip", True),
        ):
            with self.subTest(field=field):
                self._rpc(self.rep, "ir.default", "set", "crm.lead", field, value, True)
                refusal = self._refused(
                    self.rep,
                    "crm.lead",
                    "create",
                    {"name": f"Defaulted {field}", "team_id": self.alpha.id},
                )
                self.assertIn("User-defined Defaults", refusal)
                self.env["ir.default"].search([("user_id", "=", self.rep.id)]).unlink()
        self.assertFalse(self.env["crm.lead"].search([("name", "like", "Defaulted")]))

    def test_writing_to_a_customer_leaves_the_pool_leads_alone(self):
        # Odoo links a new customer to the open leads of the same e-mail the
        # writer can see: the rep's own lead, not the pool's (that would copy
        # the customer's contact details into a lead the rep does not own).
        customer = self.env["res.partner"].create(
            {"name": "Buyer", "email": "buyer@customer.example", "phone": "+1 555"}
        )
        self.own.email_from = "buyer@customer.example"
        # (message_post returns a record, which XML-RPC cannot carry back)
        self.own.with_user(self.rep).message_post(
            body="Hello", partner_ids=customer.ids, message_type="comment"
        )
        self.env.invalidate_all()
        self.assertEqual(self.own.partner_id, customer)
        self.assertFalse(self.pool_lead.partner_id)
        # Nor through the customer's side.
        self._refused(
            self.rep,
            "res.partner",
            "write",
            customer.ids,
            {"opportunity_ids": [(4, self.pool_lead.id, 0)]},
        )
        self.assertFalse(self.pool_lead.partner_id)

    def test_nobody_but_managers_takes_a_lead_out_of_its_team(self):
        # Out of the team (no queue, no team), then given away: the first step
        # is the team leader's or a manager's; a teamless lead is a queue's too.
        self._refused(self.rep, "crm.lead", "write", [self.own.id], {"team_id": False})
        self._rpc(self.leader, "crm.lead", "write", [self.pool_lead.id], {"team_id": 0})
        self.env.invalidate_all()
        self.assertFalse(self.pool_lead.queue_id, "out of its team, out of its pool")
        for user in (self.leader, self.rep):
            self._refused(
                user,
                "crm.lead",
                "write",
                [self.pool_lead.id],
                {"user_id": self.bravo_rep.id},
            )
        self.assertFalse(self.pool_lead.user_id)

    def test_rep_gives_own_lead_only_to_a_team_member(self):
        text = self._refused(
            self.rep,
            "crm.lead",
            "write",
            [self.own.id],
            {"user_id": self.bravo_rep.id, "team_id": self.alpha.id},
        )
        self.assertIn("is not a member of Alpha", text)
        # alone, the new salesperson takes the lead to their team (Odoo), as the
        # form would say
        text = self._refused(
            self.rep, "crm.lead", "write", [self.own.id], {"user_id": self.bravo_rep.id}
        )
        self.assertIn("leader of Bravo", text)
        text = self._refused(
            self.rep, "crm.lead", "write", [self.own.id], {"team_id": self.bravo.id}
        )
        self.assertIn("leader of Bravo", text)
        self.assertEqual(self._rep_sets_salesperson(self.own, self.mate), "manual")

    def _charlie(self):
        """Team Charlie, without queue (leader ``leader``, members
        ``charlie_rep`` and ``charlie_mate``), and a lead of charlie_rep."""
        charlie_rep, charlie_mate = (
            new_test_user(
                self.env, login=f"pm_{name}", password=f"pm_{name}_pw", groups=SALESMAN
            )
            for name in ("charlie_rep", "charlie_mate")
        )
        charlie = self.env["crm.team"].create(
            {
                "name": "Charlie",
                "sequence": -80,
                "user_id": self.leader.id,
                "member_ids": [Command.set((charlie_rep | charlie_mate).ids)],
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Charlie's lead",
                "type": "lead",
                "team_id": charlie.id,
                "user_id": charlie_rep.id,
            }
        )
        self.assertFalse(lead.queue_id)
        return charlie, charlie_rep, charlie_mate, lead

    def test_a_new_salesperson_alone_does_not_slip_a_lead_into_a_queue(self):
        """Odoo's crm moves a lead to its new salesperson's team when they are
        not in its team: written alone over RPC (the form sends the team too),
        a new salesperson of a queue's team is a move into that team, with the
        same rules and the same ledger line."""
        charlie, charlie_rep, charlie_mate, lead = self._charlie()
        for user in (charlie_rep, self.leader):
            text = self._refused(
                user, "crm.lead", "write", [lead.id], {"user_id": self.bravo_rep.id}
            )
            self.assertIn("leader of Bravo", text)
            self.assertEqual((lead.user_id, lead.team_id), (charlie_rep, charlie))
        # inside a team without queue: Odoo's, no ledger line
        self._rpc(
            charlie_rep, "crm.lead", "write", [lead.id], {"user_id": charlie_mate.id}
        )
        self.env.invalidate_all()
        self.assertEqual((lead.user_id, lead.team_id), (charlie_mate, charlie))
        self.assertFalse(lead.assignment_ids)
        # a manager's move into Bravo goes through the door, whatever the
        # context's default team (Odoo's computation does without it)
        self._rpc(
            self.manager,
            "crm.lead",
            "write",
            [lead.id],
            {"user_id": self.bravo_rep.id},
            context={"default_team_id": charlie.id},
        )
        self.env.invalidate_all()
        self.assertEqual((lead.user_id, lead.team_id), (self.bravo_rep, self.bravo))
        line = lead.assignment_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.user_id, line.previous_user_id, line.team_id, line.method),
            (self.bravo_rep, charlie_mate, self.bravo, "manual"),
        )

    def test_a_change_of_type_does_not_slip_a_lead_into_a_queue(self):
        """Odoo gives a lead its salesperson's default team, for the lead's new
        type, when the type is written too: the same move as above."""
        charlie, charlie_rep, _mate, lead = self._charlie()
        # Bravo's leader also leads Delta (no queue), first for leads, while
        # Bravo alone takes opportunities
        self.bravo.use_leads = False
        delta = self.env["crm.team"].create(
            {
                "name": "Delta",
                "sequence": -95,
                "user_id": self.bravo_leader.id,
                "use_leads": True,
                "use_opportunities": False,
            }
        )
        Team = self.env["crm.team"]
        for kind, team in (("use_leads", delta), ("use_opportunities", self.bravo)):
            found = Team._get_default_team_id(
                user_id=self.bravo_leader.id, domain=[(kind, "=", True)]
            )
            self.assertEqual(found, team)
        text = self._refused(
            charlie_rep,
            "crm.lead",
            "write",
            [lead.id],
            {"user_id": self.bravo_leader.id, "type": "opportunity"},
        )
        self.assertIn("leader of Bravo", text)
        # the type alone, once the salesperson is no longer in the team
        self.env["crm.lead"].browse(lead.ids).write(
            {"user_id": self.rep.id, "team_id": charlie.id}
        )
        self.assertEqual((lead.user_id, lead.team_id), (self.rep, charlie))
        text = self._refused(
            self.rep, "crm.lead", "write", [lead.id], {"type": "opportunity"}
        )
        self.assertIn("leader of Alpha", text)
        self.assertEqual((lead.type, lead.team_id), ("lead", charlie))
        self._rpc(self.manager, "crm.lead", "write", [lead.id], {"type": "opportunity"})
        self.env.invalidate_all()
        self.assertEqual(
            (lead.type, lead.team_id, lead.user_id),
            ("opportunity", self.alpha, self.rep),
        )

    def test_a_conversion_into_the_leads_own_team_is_not_a_move(self):
        """The conversion wizard writes the type, then the team asked for: a
        rep converts their own lead in the team it is in (though they are not
        a member), and a lead of a queue converted in its team keeps its
        queue."""
        charlie, _rep, charlie_mate, lead = self._charlie()
        lead.write({"user_id": self.rep.id, "team_id": charlie.id})

        def convert(user, lead, team):
            wizard = self.env["crm.lead2opportunity.partner"].with_user(user)
            wizard = wizard.with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            wizard.create(
                {
                    "name": "convert",
                    "action": "nothing",
                    "user_id": lead.user_id.id,
                    "team_id": team.id,
                }
            ).action_apply()
            self.env.invalidate_all()

        convert(self.rep, lead, charlie)
        self.assertEqual(
            (lead.type, lead.user_id, lead.team_id), ("opportunity", self.rep, charlie)
        )
        # a lead of Bravo's queue with a salesperson from elsewhere
        queued = self.env["crm.lead"].create(
            {"name": "Queued lead", "type": "lead", "team_id": self.bravo.id}
        )
        self.assertEqual(queued.queue_id, self.bravo_queue)
        queued.write({"user_id": charlie_mate.id, "team_id": self.bravo.id})
        self.assertEqual(queued.queue_id, self.bravo_queue)
        convert(self.manager, queued, self.bravo)
        self.assertEqual(
            (queued.type, queued.team_id, queued.queue_id),
            ("opportunity", self.bravo, self.bravo_queue),
        )

    def test_a_new_salesperson_of_another_company_takes_the_lead_there(self):
        """Written alone, a salesperson whose only team is in another company
        takes the lead there in one write, as in Odoo (the team and the company
        follow them), with its ledger line."""
        company_2 = self.company_2
        both = (self.env.company | company_2).ids
        abroad = new_test_user(
            self.env,
            login="pm_abroad",
            groups=SALESMAN,
            company_id=company_2.id,
            company_ids=[Command.set(both)],
        )
        echo = self.env["crm.team"].create(
            {
                "name": "Echo",
                "company_id": company_2.id,
                "member_ids": [Command.set(abroad.ids)],
            }
        )
        self.assertEqual(self.rep.company_ids, self.env.company)
        own = self.env["crm.lead"].with_context(allowed_company_ids=both)
        own = own.browse(self.own.id)
        own.write({"user_id": abroad.id})
        self.assertEqual(
            (own.user_id, own.team_id, own.company_id), (abroad, echo, company_2)
        )
        line = own.assignment_ids.sorted("id")[-1]
        self.assertEqual((line.user_id, line.previous_user_id), (abroad, self.rep))

    def test_rep_can_still_claim_by_writing_themselves(self):
        self.assertEqual(self._rep_sets_salesperson(self.pool_lead, self.rep), "claim")

    def test_a_sales_manager_sets_up_queues_with_timers(self):
        # Switching the backlog and timers crons is the server's: a sales
        # manager who may not read scheduled actions still sets queues up.
        self.assertFalse(self.manager.has_group("base.group_system"))
        queue_id = self._rpc(
            self.manager,
            "crm.team.queue",
            "create",
            {"name": "With SLA", "team_id": self.bravo.id, "sla_hours": 4},
        )
        self._rpc(self.manager, "crm.team.queue", "write", [queue_id], {"active": 0})
        cron = self.env.ref("sales_team_queue.ir_cron_lead_timers")
        self.assertTrue(cron.active, "the other queues still need the timers")

    def test_only_the_owner_meets_their_sla(self):
        # A leader cannot meet the rep's SLA for them: not with a message in
        # their name, an activity of theirs marked done, or a stage change.
        self.bravo_queue.sla_hours = 4
        leads = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create(
                [
                    {"name": f"SLA {i}", "team_id": self.bravo.id, "user_id": False}
                    for i in range(3)
                ]
            )
        )
        self.assertEqual(leads.mapped("sla_state"), ["running"] * 3)
        self.assertEqual(leads.user_id, self.bravo_rep)
        # (message_post returns a record, which XML-RPC cannot carry back)
        leads[0].with_user(self.bravo_leader).message_post(
            body="Called them",
            message_type="comment",
            author_id=self.bravo_rep.partner_id.id,
        )
        activity = leads[1].activity_schedule(
            "mail.mail_activity_data_call", user_id=self.bravo_rep.id
        )
        self._rpc(self.bravo_leader, "mail.activity", "action_done", activity.ids)
        stage = self.env["crm.stage"].search(
            [("is_won", "=", False), ("id", "!=", leads[2].stage_id.id)], limit=1
        )
        self._rpc(
            self.bravo_leader,
            "crm.lead",
            "write",
            [leads[2].id],
            {"stage_id": stage.id},
        )
        self.env.invalidate_all()
        self.assertEqual(leads.mapped("sla_state"), ["running"] * 3)
        leads[0].with_user(self.bravo_rep).message_post(
            body="Called them", message_type="comment"
        )
        self.env.invalidate_all()
        self.assertEqual(leads[0].sla_state, "met")

    def test_a_member_cannot_move_their_own_time_zone(self):
        # The claim window and the daily limit are read in the member's time
        # zone: moving it would open the window or start a new day at will.
        self.rep.tz = "Asia/Bangkok"
        text = self._refused(
            self.rep, "res.users", "write", [self.rep.id], {"tz": "America/New_York"}
        )
        self.assertIn("ask your administrator", text)
        self._refused(
            self.rep,
            "res.partner",
            "write",
            self.rep.partner_id.ids,
            {"tz": "America/New_York"},
        )
        self.assertEqual(self.rep.tz, "Asia/Bangkok")
        admin = self.env.ref("base.user_admin")
        self.rep.with_user(admin).tz = "Asia/Tokyo"
        self.assertEqual(self.rep.tz, "Asia/Tokyo")
        # Users outside the queues keep Odoo's preferences.
        self._rpc(self.leader, "res.users", "write", [self.leader.id], {"tz": "UTC"})

    # ------------------------------------------------------------
    # Context keys are the server's
    # ------------------------------------------------------------

    def test_stage_event_from_json_is_ignored(self):
        stage = self.env["crm.stage"].search(
            [("is_won", "=", False), ("id", "!=", self.own.stage_id.id)], limit=1
        )
        self._rpc(
            self.rep,
            "crm.lead",
            "write",
            [self.own.id],
            {"stage_id": stage.id},
            context={"sales_team_queue_stage_event": "lost"},
        )
        self.assertEqual(self.own.stage_history_ids.sorted("id")[-1].event, "stage")

    def test_no_route_from_json_is_ignored(self):
        lead_id = self._rpc(
            self.manager,
            "crm.lead",
            "create",
            {"name": "Routed anyway", "team_id": self.bravo.id, "user_id": False},
            context={"sales_team_queue_no_route": True},
        )
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertEqual(lead.user_id, self.bravo_rep)
        self.assertEqual(lead.queue_id, self.bravo_queue)

    def test_door_flags_from_json_are_ignored(self):
        self._claim_limit_reached()
        self._refused(
            self.rep,
            "crm.lead",
            "write",
            [self.pool_lead.id],
            {"user_id": self.rep.id},
            context={
                "sales_team_queue_assigning": True,
                "sales_team_queue_hint": {},
                # what the door need not lock again is the server's to say
                # (a frozenset, see test_queue_door): a list from JSON is data
                "sales_team_queue_held_team_ids": [self.alpha.id],
            },
        )
        self.assertEqual(self.pool_lead.queue_state, "pool")
