"""Offers, returning customers and cadences tried as hostile clients would:
each user logs in with their own password and calls Odoo over XML-RPC.

Team *Alpha* (leader ``leader``, members ``rep`` and ``mate``) has a round
robin queue whose leads are offered (10 minutes); team *Bravo* (leader
``bravo_leader``, member ``bravo_rep``) has a queue of its own. ``manager`` is
a sales manager, ``other_co`` a sales manager of another company, ``portal``
a portal user. Each test asserts the attempt is refused and the lead is left
as it was.
"""

from datetime import timedelta
from xmlrpc.client import Fault

from psycopg2.errors import SerializationFailure

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CommittedCase
from .common_rpc import REFUSED, RpcLoginMixin, TwoTeamsRpcCase

SALESMAN = "sales_team.group_sale_salesman"
MANAGER = "sales_team.group_sale_manager"


@tagged("post_install", "-at_install")
class TestOfferAttackRpc(TwoTeamsRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._two_teams_cast("oa", "Offer")
        env = cls.env
        quiet = {"notify_assignee": False, "activity_type_id": False}
        cls.queue = env["crm.team.queue"].create(
            dict(
                quiet,
                name="Offer Alpha Queue",
                team_id=cls.alpha.id,
                strategy="round_robin",
                offer_minutes=10,
                member_ids=[
                    Command.create({"user_id": cls.rep.id}),
                    Command.create({"user_id": cls.mate.id}),
                ],
            )
        )
        cls.bravo_queue = env["crm.team.queue"].create(
            dict(
                quiet,
                name="Offer Bravo Queue",
                team_id=cls.bravo.id,
                strategy="round_robin",
                member_ids=[Command.create({"user_id": cls.bravo_rep.id})],
            )
        )

    def setUp(self):
        super().setUp()
        self.lead = self._offered_to(self.rep)

    def _offered_to(self, user):
        """A new lead of Alpha, offered to ``user`` (created by the manager)."""
        for _attempt in range(3):
            lead = (
                self.env["crm.lead"]
                .with_user(self.manager)
                .create(
                    {
                        "name": f"Offered to {user.login}",
                        "team_id": self.alpha.id,
                        "type": "lead",
                        "email_from": "buyer@offer-attack.example",
                    }
                )
                .sudo()
            )
            if lead.offer_user_id == user:
                return lead
        raise AssertionError(f"no lead offered to {user.login}")

    # ------------------------------------------------------------

    def _state(self, lead):
        self.env.invalidate_all()
        lead = lead.sudo()
        return (
            lead.user_id,
            lead.queue_id,
            lead.queue_state,
            lead.offer_user_id,
            lead.offer_deadline,
            lead.skills_wait,
            lead.sla_state,
            len(lead.assignment_ids),
        )

    # ------------------------------------------------------------
    # Answering someone else's offer
    # ------------------------------------------------------------

    def test_nobody_but_the_offered_rep_answers_the_offer(self):
        before = self._state(self.lead)
        for user in (
            self.mate,
            self.leader,
            self.manager,
            self.bravo_rep,
            self.bravo_leader,
            self.other_co,
            self.portal,
        ):
            with self.subTest(user=user.login):
                self._refused(user, "crm.lead", "action_accept_offer", [self.lead.id])
                self._refused(
                    user, "crm.lead", "action_decline_offer", [self.lead.id], "Mine"
                )
                self.assertEqual(self._state(self.lead), before)

    def test_other_company_and_outsiders_learn_nothing_of_the_offer(self):
        for user in (self.bravo_rep, self.other_co, self.portal):
            with self.subTest(user=user.login):
                text = self._refused(
                    user, "crm.lead", "action_accept_offer", [self.lead.id]
                )
                self.assertNotIn(self.rep.name, text)

    def test_a_teammate_cannot_claim_or_take_an_offered_lead(self):
        self.alpha.lead_visibility = "team"
        before = self._state(self.lead)
        self._refused(self.mate, "crm.lead", "action_claim", [self.lead.id])
        self._refused(
            self.mate, "crm.lead", "write", [self.lead.id], {"user_id": self.mate.id}
        )
        self.assertEqual(self._state(self.lead), before)

    def test_an_offer_is_not_accepted_after_its_deadline(self):
        self.lead.offer_deadline = fields.Datetime.now() - timedelta(seconds=1)
        before = self._state(self.lead)
        text = self._refused(
            self.rep, "crm.lead", "action_accept_offer", [self.lead.id]
        )
        self.assertIn("expired", text)
        self.assertEqual(self._state(self.lead), before)
        self.assertEqual(self.lead.sla_state, "none")

    def test_an_offer_is_answered_once(self):
        self._rpc(self.rep, "crm.lead", "action_accept_offer", [self.lead.id])
        text = self._refused(
            self.rep, "crm.lead", "action_decline_offer", [self.lead.id], "Too late"
        )
        self.assertIn("no longer waiting", text)
        self.assertEqual(self.lead.user_id, self.rep)
        self.assertEqual(self.lead.queue_state, "assigned")

    # ------------------------------------------------------------
    # The decline reason is bounded plain text
    # ------------------------------------------------------------

    def test_a_decline_reason_is_bounded_plain_text(self):
        before = self._state(self.lead)
        for reason in (
            "x" * 501,
            {"code": "account_owner", "args": {}},
            ["a", "b"],
            {"model": "res.partner", "id": self.manager.partner_id.id},
            42,
        ):
            with self.subTest(reason=str(reason)[:40]):
                self._refused(
                    self.rep, "crm.lead", "action_decline_offer", [self.lead.id], reason
                )
                self.assertEqual(self._state(self.lead), before)
        markup = "<img src=x onerror=alert(1)> %(user)s %s"
        self._rpc(self.rep, "crm.lead", "action_decline_offer", [self.lead.id], markup)
        line = self.lead.assignment_ids.filtered(lambda line: line.method == "declined")
        self.assertEqual(line.reason, f"offer declined by {self.rep.name}: {markup}")
        read = self._rpc(
            self.leader, "crm.lead.assignment", "read", line.ids, ["reason"]
        )
        self.assertEqual(read[0]["reason"], line.reason, "stored and read as text")

    def test_the_decline_wizard_only_declines_your_own_offers(self):
        mates = self._offered_to(self.mate)
        bravo_lead = self.env["crm.lead"].create(
            {"name": "Bravo's", "team_id": self.bravo.id, "type": "lead"}
        )
        before = (self._state(mates), self._state(bravo_lead))
        for lead in (mates, bravo_lead):
            with self.subTest(lead=lead.name):
                wizard = self._rpc(
                    self.rep,
                    "crm.lead.offer.decline",
                    "create",
                    {"lead_ids": [(6, 0, [lead.id])], "reason": "Not mine"},
                )
                self._refused(
                    self.rep, "crm.lead.offer.decline", "action_apply", [wizard]
                )
        self.assertEqual((self._state(mates), self._state(bravo_lead)), before)
        # a huge reason is refused by the wizard itself
        self._refused(
            self.rep,
            "crm.lead.offer.decline",
            "create",
            {"lead_ids": [(6, 0, self.lead.ids)], "reason": "x" * 501},
        )

    # ------------------------------------------------------------
    # Offer fields and the skill wait are the server's
    # ------------------------------------------------------------

    def test_offer_fields_cannot_be_written(self):
        own = self.env["crm.lead"].create(
            {"name": "Rep's own", "team_id": self.alpha.id, "user_id": self.rep.id}
        )
        for lead in (self.lead, own):
            before = self._state(lead)
            for vals in (
                {"offer_user_id": self.rep.id},
                {"offer_user_id": False},
                {"offer_deadline": "2099-01-01 00:00:00"},
                {"skills_wait": True},
                {"queue_state": "offered"},
                {"queue_state": "assigned"},
            ):
                for user in (self.rep, self.leader, self.manager):
                    with self.subTest(lead=lead.name, vals=vals, user=user.login):
                        self._refused(user, "crm.lead", "write", [lead.id], vals)
                        self.assertEqual(self._state(lead), before)

    def test_offer_fields_cannot_be_set_at_creation(self):
        names = []
        for field, value in (
            ("offer_user_id", self.rep.id),
            ("offer_deadline", "2099-01-01 00:00:00"),
            ("skills_wait", True),
            ("queue_state", "offered"),
        ):
            name = f"Forged {field}"
            names.append(name)
            with self.subTest(field=field):
                values = {"name": name, "team_id": self.alpha.id}
                self._refused(
                    self.rep, "crm.lead", "create", dict(values, **{field: value})
                )
                self._refused(
                    self.rep,
                    "crm.lead",
                    "create",
                    values,
                    context={f"default_{field}": value},
                )
                with mute_logger("odoo.models"):
                    result = self._rpc(
                        self.manager, "crm.lead", "load", ["name", field], [[name, "1"]]
                    )
                self.assertFalse(result["ids"], "the import saves nothing")
        self.assertFalse(self.env["crm.lead"].search([("name", "in", names)]))

    def test_a_user_default_cannot_set_offer_fields(self):
        for field, value in (
            ("offer_user_id", self.rep.id),
            ("skills_wait", True),
        ):
            with self.subTest(field=field):
                self._rpc(self.rep, "ir.default", "set", "crm.lead", field, value, True)
                text = self._refused(
                    self.rep,
                    "crm.lead",
                    "create",
                    {"name": "Defaulted", "team_id": self.alpha.id},
                )
                self.assertIn("default", text.lower())
                self.env["ir.default"].search([("user_id", "=", self.rep.id)]).unlink()

    def test_a_copy_of_an_offered_lead_is_not_an_offer(self):
        copy_id = self._rpc(self.rep, "crm.lead", "copy", [self.lead.id])
        copy_id = copy_id[0] if isinstance(copy_id, list) else copy_id
        copy = self.env["crm.lead"].sudo().browse(copy_id)
        self.assertFalse(copy.offer_deadline)
        if copy.offer_user_id:
            # routed again as a new lead: a real offer, with its ledger line
            self.assertEqual(copy.queue_state, "offered")
            self.assertEqual(copy.assignment_ids[:1].method, "offer")
        else:
            self.assertNotEqual(copy.queue_state, "offered")
        self.assertFalse(copy.skills_wait)

    # ------------------------------------------------------------
    # Reports and ledger: nothing of other teams or companies
    # ------------------------------------------------------------

    def test_offer_figures_of_others_are_not_readable(self):
        self._rpc(self.rep, "crm.lead", "action_decline_offer", [self.lead.id], "Busy")
        domain = [("lead_id", "=", self.lead.id)]
        for user in (self.bravo_rep, self.bravo_leader, self.other_co, self.rep):
            with self.subTest(user=user.login):
                rows = self._rpc(
                    user,
                    "crm.lead.assignment.report",
                    "search_read",
                    domain,
                    ["offer_count", "accepted_count", "acceptance_rate"],
                )
                self.assertFalse(rows)
                lines = self._rpc(
                    user, "crm.lead.assignment", "search_read", domain, ["reason"]
                )
                self.assertFalse(lines)
        # the leader reads their team's offers
        rows = self._rpc(
            self.leader,
            "crm.lead.assignment.report",
            "search_read",
            domain,
            ["offer_count"],
        )
        self.assertTrue(rows)

    # ------------------------------------------------------------
    # Queue settings of the new features
    # ------------------------------------------------------------

    def test_only_managers_of_the_company_change_the_new_queue_settings(self):
        plan = self.env["mail.activity.plan"].create(
            {"name": "Offer Attack Plan", "res_model": "crm.lead"}
        )
        for vals in (
            {"offer_minutes": 0},
            {"route_to_account_owner": True},
            {"account_owner_counts_as_turn": False},
            {"relax_skills_minutes": 1},
            {"activity_plan_id": plan.id},
        ):
            for user in (self.rep, self.leader, self.other_co, self.portal):
                with self.subTest(vals=vals, user=user.login):
                    self._refused(user, "crm.team.queue", "write", self.queue.ids, vals)
        self.assertEqual(self.queue.offer_minutes, 10)
        self.assertFalse(self.queue.activity_plan_id)

    def test_a_queue_cannot_launch_a_plan_of_another_company(self):
        plan = self.env["mail.activity.plan"].create(
            {
                "name": "Co 2 Plan",
                "res_model": "crm.lead",
                "company_id": self.company_2.id,
            }
        )
        text = self._refused(
            self.manager,
            "crm.team.queue",
            "write",
            self.queue.ids,
            {"activity_plan_id": plan.id},
        )
        self.assertIn("belongs to", text)
        self.assertFalse(self.queue.activity_plan_id)


@tagged("post_install", "-at_install")
class TestAccountTakeoverRpc(RpcLoginMixin, HttpCase):
    """Returning customers go to their account's salesperson: any employee
    with Odoo's default "Contact Creation" right may edit a customer, so a
    rep who makes themselves a colleague's customer's salesperson, or moves
    the customer under a company of theirs, would receive its next leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["crm.team.queue"].search([]).action_archive()
        groups = f"{SALESMAN},base.group_partner_manager"

        def user(login, groups=groups):
            return new_test_user(
                env, login=login, password=f"{login}_pw", groups=groups, tz="UTC"
            )

        cls.rep = user("ot_rep")
        cls.mate = user("ot_mate")
        cls.leader = user("ot_leader")
        cls.manager = user("ot_manager", groups=MANAGER)
        cls.team = env["crm.team"].create(
            {
                "name": "Takeover Team",
                "company_id": env.company.id,
                "sequence": -100,
                "user_id": cls.leader.id,
                "member_ids": [Command.set((cls.rep | cls.mate).ids)],
            }
        )
        cls.queue = env["crm.team.queue"].create(
            {
                "name": "Takeover Queue",
                "team_id": cls.team.id,
                "strategy": "round_robin",
                "route_to_account_owner": True,
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [
                    Command.create({"user_id": cls.rep.id}),
                    Command.create({"user_id": cls.mate.id}),
                ],
            }
        )
        cls.customer = env["res.partner"].create(
            {"name": "Takeover Big Co", "is_company": True, "user_id": cls.mate.id}
        )
        cls.buyer = env["res.partner"].create(
            {
                "name": "Big Co Buyer",
                "parent_id": cls.customer.id,
                "email": "buyer@takeover-big.example",
            }
        )

    def _give_customer(self, user, owner):
        """As ``user``, over RPC: make ``owner`` the customer's salesperson."""
        return self._rpc(
            user, "res.partner", "write", self.customer.ids, {"user_id": owner.id}
        )

    def _refused(self, user, model, method, *args, **kwargs):
        with mute_logger("odoo.http"):
            with self.assertRaises(Fault, msg=f"{user.login}: {method} refused") as cm:
                self._rpc(user, model, method, *args, **kwargs)
        self.assertIn(cm.exception.faultCode, REFUSED, cm.exception.faultString)
        self.env.invalidate_all()
        return cm.exception.faultString

    def _next_lead_owner(self, **values):
        lead = self.env["crm.lead"].create(
            dict(
                {"name": "Returning", "team_id": self.team.id, "type": "lead"},
                **values,
            )
        )
        return lead.user_id

    def test_a_rep_cannot_make_themselves_a_colleagues_account_owner(self):
        text = self._refused(
            self.rep,
            "res.partner",
            "write",
            self.customer.ids,
            {"user_id": self.rep.id},
        )
        self.assertIn("Takeover Big Co", text)
        self.assertEqual(self.customer.user_id, self.mate)
        owner = self._next_lead_owner(email_from="new@takeover-big.example")
        self.assertEqual(owner, self.mate)

    def test_a_rep_cannot_move_a_colleagues_customer_under_their_company(self):
        mine = self._rpc(
            self.rep,
            "res.partner",
            "create",
            {"name": "Rep Holding", "is_company": True, "user_id": self.rep.id},
        )
        for partner in (self.customer, self.buyer):
            with self.subTest(partner=partner.name):
                self._refused(
                    self.rep, "res.partner", "write", partner.ids, {"parent_id": mine}
                )
        self.assertEqual(self.buyer.commercial_partner_id, self.customer)
        self.assertEqual(self._next_lead_owner(partner_id=self.buyer.id), self.mate)
        # nor by writing the computed account itself
        with mute_logger("odoo.models", "odoo.http"), self.assertRaises(Fault):
            self._rpc(
                self.rep,
                "res.partner",
                "write",
                self.buyer.ids,
                {"commercial_partner_id": mine},
            )
        self.env.invalidate_all()
        self.assertEqual(self.buyer.commercial_partner_id, self.customer)
        self.assertEqual(self._next_lead_owner(partner_id=self.buyer.id), self.mate)

    def test_owners_leaders_and_managers_still_change_the_account(self):
        # the owner gives it away; the leader and a manager move it
        self._give_customer(self.mate, self.rep)
        self._give_customer(self.leader, self.mate)
        self._give_customer(self.manager, self.rep)
        self.env.invalidate_all()
        self.assertEqual(self.customer.user_id, self.rep)
        # a rep's own new customer, and a customer of nobody, are theirs to set
        mine = self._rpc(
            self.rep,
            "res.partner",
            "create",
            {"name": "Rep's Customer", "is_company": True, "user_id": self.rep.id},
        )
        nobodys = self.env["res.partner"].create({"name": "Nobody's", "is_company": 1})
        self._rpc(
            self.rep,
            "res.partner",
            "write",
            [mine, nobodys.id],
            {"user_id": self.rep.id},
        )
        # the owner gives it back; other fields of a colleague's customer
        # stay editable
        self._give_customer(self.rep, self.mate)
        self._rpc(self.rep, "res.partner", "write", self.customer.ids, {"phone": "123"})

    def test_without_account_routing_odoo_decides(self):
        self.queue.route_to_account_owner = False
        self._give_customer(self.rep, self.rep)
        self.env.invalidate_all()
        self.assertEqual(self.customer.user_id, self.rep)

    def test_a_private_pool_shows_no_account_name_to_reps(self):
        # A customer's lead, routed to its salesperson, released into a pool
        # that hides contacts: its ledger line names the customer, and the
        # teammates who may not read the lead do not read the line either.
        self.queue.write({"strategy": "pool", "pool_hide_contact": True})
        lead = self.env["crm.lead"].create(
            {"name": "Private", "team_id": self.team.id, "partner_id": self.buyer.id}
        )
        self.assertEqual(lead.user_id, self.mate)
        self._rpc(self.mate, "crm.lead", "action_release", lead.ids, "Not for me")
        self.env.invalidate_all()
        self.assertEqual(lead.queue_state, "pool")
        self.assertIn("Takeover Big Co", lead.assignment_ids.mapped("reason")[-1])
        domain = [("lead_id", "=", lead.id)]
        for model, fnames in (
            ("crm.lead.assignment", ["reason"]),
            ("crm.lead.assignment.report", ["user_id"]),
        ):
            self.assertFalse(self._rpc(self.rep, model, "search_read", domain, fnames))
        cards = self._rpc(
            self.rep,
            "crm.lead.pool.card",
            "search_read",
            [("lead_id", "=", lead.id)],
            [],
        )
        self.assertNotIn("Takeover Big Co", str(cards))
        self.assertNotIn("Big Co Buyer", str(cards))


@tagged("post_install", "-at_install")
class TestOfferAnswerLocks(CommittedCase):
    """Answering an offer locks the leads (against their expiry): only once
    they are known to be offered to the one who answers. A rep naming leads
    they merely read (a teammate's offer, a pool) is refused without holding
    them, so a loop of refused answers cannot stall the claims, the routing
    and the timers of others."""

    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            users = self._commit_users(env, "q_offer_lock_", ("Arun", "Bee"))
            team = self._commit_teams(
                env,
                [
                    {
                        "name": "Offer Lock Team",
                        "sequence": -400,
                        "lead_visibility": "team",
                        "member_ids": [Command.set(users.ids)],
                    }
                ],
            )
            self._quiet_queue(env, "Offer Lock Queue", team.id, users, offer_minutes=5)
            lead = env["crm.lead"].create({"name": "Lock lead", "team_id": team.id})
            assert lead.offer_user_id == users[0], lead.queue_state
            self.lead_id, self.arun_id, self.bee_id = lead.id, *users.ids

    def test_a_refused_answer_holds_no_lock(self):
        bee = self._open_worker_env(self.bee_id)
        lead = bee["crm.lead"].browse(self.lead_id)
        lead.check_access("read")  # a teammate reads it (team visibility)
        for answer in (
            lead.action_accept_offer,
            lambda: lead.action_decline_offer("Mine now"),
        ):
            with self.assertRaisesRegex(UserError, "only they can accept"):
                answer()
            with self._worker_env() as env:
                env.cr.execute(
                    "SELECT id FROM crm_lead WHERE id = %s FOR UPDATE NOWAIT",
                    [self.lead_id],
                )
        bee.cr.rollback()

    def test_accept_and_decline_from_two_sessions_one_wins(self):
        accepting = self._open_worker_env(self.arun_id)
        accepting["crm.lead"].browse(self.lead_id).action_accept_offer()
        result = {}

        def decline():
            # as Odoo serves a request: a serialization failure is retried
            for _attempt in range(2):
                with self._worker_env(self.arun_id) as env:
                    try:
                        lead = env["crm.lead"].browse(self.lead_id)
                        lead.action_decline_offer("No")
                        result["declined"] = True
                        return
                    except SerializationFailure:
                        result["retried"] = True
                        env.cr.rollback()
                    except UserError as error:
                        result["error"] = str(error)
                        env.cr.rollback()
                        return

        thread = self._start_thread(decline)
        thread.join(timeout=2)
        self.assertTrue(thread.is_alive(), "the decline waits for the acceptance")
        accepting.cr.commit()
        thread.join(timeout=30)
        self.assertNotIn("declined", result)
        self.assertTrue(result.get("retried"), "the waiting decline is retried")
        self.assertIn("no longer waiting", result.get("error", ""))
        with self._worker_env() as env:
            lead = env["crm.lead"].browse(self.lead_id)
            methods = lead.assignment_ids.sorted("id").mapped("method")
            self.assertEqual(methods, ["offer", "accepted"])
            self.assertEqual(lead.user_id.id, self.arun_id)
            self.assertEqual(lead.queue_state, "assigned")
