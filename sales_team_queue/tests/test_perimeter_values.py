"""What clients send is data (issue 17, items 2 and 5), checked over XML-RPC with
each user's own login and password: reasons are plain text of bounded length, the
ledger renders only the records the module names there and survives a malformed
line, no JSON context key skips the archive guard, and stored figures, the ledger
and the stage history are written by the module's own code only."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)
from odoo.addons.sales_team_queue.models.values import REASON_MAX_LENGTH, Reason

from .common_rpc import RpcLoginMixin

SALESMAN = "sales_team.group_sale_salesman"
MANAGER = "sales_team.group_sale_manager"
SECRET = "Secret Deal Zeta"
# Refused calls log their refusal: expected here.
REFUSALS = (
    "odoo.http",
    "odoo.addons.base.models.ir_model",
    "odoo.addons.base.models.ir_rule",
)


@tagged("post_install", "-at_install")
class TestPerimeterValues(RpcLoginMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.team.queue"].search([]).action_archive()
        cls.rep = cls._user("pv_rep", SALESMAN)
        cls.outsider = cls._user("pv_outsider", SALESMAN)
        cls.leader = cls._user("pv_leader", SALESMAN)
        cls.manager = cls._user("pv_manager", MANAGER)
        cls.admin = cls._user("pv_admin", f"base.group_system,{MANAGER}")
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Perimeter Team",
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.rep.ids)],
            }
        )
        other_team = cls.env["crm.team"].create(
            {"name": "Perimeter Other Team", "member_ids": [Command.set([])]}
        )
        cls.queue = cls.env["crm.team.queue"].create(
            {
                "name": "Perimeter Queue",
                "team_id": cls.team.id,
                "strategy": "round_robin",
                "activity_type_id": False,
                "notify_assignee": False,
                "member_ids": [Command.create({"user_id": cls.rep.id})],
            }
        )
        Lead = cls.env["crm.lead"]
        cls.lead = Lead.create(
            {"name": "Perimeter Lead", "type": "opportunity", "team_id": cls.team.id}
        )
        cls.lead._queue_assign(cls.rep, cls.queue, method="manual", notify=False)
        # A lead the rep may not read: someone else's, in another team.
        cls.secret = Lead.create(
            {
                "name": SECRET,
                "type": "opportunity",
                "team_id": other_team.id,
                "user_id": cls.outsider.id,
            }
        )
        cls.target = cls.env["crm.sales.target"].create(
            {
                "user_id": cls.leader.id,
                "team_id": cls.team.id,
                "date_from": date.today().replace(day=1),
                "revenue_target": 1000,
            }
        )

    @classmethod
    def _user(cls, login, groups):
        """A user who logs in with the password ``<login>_pw``."""
        return new_test_user(
            cls.env,
            login=login,
            password=f"{login}_pw",
            groups=groups,
            name=login.split("_", 1)[1].capitalize(),
        )

    def _refused(self, code, user, model, method, *args, **kwargs):
        """Call over RPC, expect a refusal of kind ``code``; return its text."""
        refusal = self._rpc_refused(user, model, method, *args, **kwargs)
        self.assertEqual(refusal.faultCode, code, refusal)
        return refusal.faultString

    def _release_refused(self, reason):
        """The rep releases their lead over RPC with ``reason``: expect a
        warning; return its text."""
        return self._refused(
            RPC_FAULT_CODE_WARNING,
            self.rep,
            "crm.lead",
            "action_release",
            self.lead.ids,
            reason=reason,
        )

    def _ledger(self, user, lead=None):
        """The ledger of ``lead`` (the rep's) as ``user`` reads it over RPC."""
        return self._rpc(
            user,
            "crm.lead.assignment",
            "search_read",
            [("lead_id", "=", (lead or self.lead).id)],
            fields=["reason", "reason_code"],
            order="id",
        )

    # ------------------------------------------------------------
    # Reasons are plain text
    # ------------------------------------------------------------

    @mute_logger(*REFUSALS)
    def test_release_with_a_record_reason_is_refused_and_names_no_lead(self):
        self._refused(
            RPC_FAULT_CODE_ACCESS_ERROR,
            self.rep,
            "crm.lead",
            "read",
            self.secret.ids,
            ["name"],
        )
        lines_before = len(self.lead.assignment_ids)
        for reason in (
            {"model": "crm.lead", "id": self.secret.id},
            {"code": "text", "args": {"text": "x"}},
            [{"model": "crm.lead", "id": self.secret.id}],
            42,
        ):
            with self.subTest(reason=reason):
                message = self._release_refused(reason)
                self.assertIn("plain text", message)
        self.env.invalidate_all()
        self.assertEqual(self.lead.user_id, self.rep)
        self.assertEqual(len(self.lead.assignment_ids), lines_before)
        for line in self._ledger(self.rep) + self._ledger(self.manager):
            self.assertNotIn(SECRET, line["reason"])

    @mute_logger(*REFUSALS)
    def test_long_reason_is_refused_with_the_limit(self):
        too_long = "x" * (REASON_MAX_LENGTH + 1)
        message = self._release_refused(too_long)
        self.assertIn(str(REASON_MAX_LENGTH), message)
        self._assert_wizards_refuse_reason(too_long, str(REASON_MAX_LENGTH))
        self.assertFalse(
            self.env["crm.lead.assignment"].search_count(
                [("lead_id", "=", self.lead.id), ("method", "=", "recycle")]
            )
        )
        # At the limit, the reason is kept as typed (stripped).
        self._rpc(
            self.rep,
            "crm.lead",
            "action_release",
            self.lead.ids,
            reason=f"  {'y' * REASON_MAX_LENGTH}  ",
        )
        self.env.invalidate_all()
        line = self.env["crm.lead.assignment"].search(
            [("lead_id", "=", self.lead.id), ("reason_code", "=", "released_because")]
        )
        self.assertEqual(line.reason_args["text"], "y" * REASON_MAX_LENGTH)

    @mute_logger(*REFUSALS)
    def test_wizard_reason_that_is_not_text_is_refused(self):
        self._assert_wizards_refuse_reason(
            {"model": "crm.lead", "id": self.secret.id}, "plain text"
        )

    def _assert_wizards_refuse_reason(self, reason, text):
        """Both wizards that take a rep's reason (release, and assign to the
        pool) refuse ``reason`` on create, with a warning that says ``text``."""
        for model, extra in (
            ("crm.lead.release", {}),
            ("crm.lead.assign", {"action": "pool"}),
        ):
            with self.subTest(model=model):
                message = self._refused(
                    RPC_FAULT_CODE_WARNING,
                    self.rep,
                    model,
                    "create",
                    dict(extra, lead_ids=[(6, 0, self.lead.ids)], reason=reason),
                )
                self.assertIn(text, message)

    # ------------------------------------------------------------
    # The ledger renders safely
    # ------------------------------------------------------------

    def _insert_bad_lines(self):
        """Malformed ledger lines on the rep's lead, inserted as superuser the
        way the module writes lines (and one whose arguments are not a dict)."""
        Ledger = self.env["crm.lead.assignment"].sudo()
        reasons = [
            Reason(
                "released_because",
                {"user": {"model": "no.such.model", "id": 1}, "text": 5},
            ),
            Reason("rr_after", {"user": {"model": "crm.lead", "id": self.secret.id}}),
            Reason("rr_after", {}),
            Reason("weighted", {"weight": {"x": 1}, "total": [1, {"model": 7}]}),
            Reason("text", {"text": {"model": "crm.lead", "id": self.secret.id}}),
            Reason("rr_after", {"user": {"model": "res.users", "id": "1"}}),
            Reason("rr_after", {"user": {"model": "res.users", "id": 2**40}}),
            Reason("overflow_leader", {"reason": {"code": "pool", "args": [1]}}),
            Reason("no_such_code", {"x": 1}),
            Reason("", {"x": 1}),
            Reason("manual", {"user": Reason.ref(self.rep)}),
        ]
        deep = {"model": "crm.lead", "id": self.secret.id}
        for _level in range(50):
            deep = {"code": "overflow_leader", "args": {"reason": deep}}
        reasons.append(Reason("overflow_leader", {"reason": deep}))
        ids = Ledger._insert_lines(
            [
                {
                    "lead_id": self.lead.id,
                    "user_id": self.rep.id,
                    "team_id": self.team.id,
                    "company_id": self.lead.company_id.id,
                    "method": "manual",
                    "reason": reason,
                }
                for reason in reasons
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE crm_lead_assignment SET reason_args = %s::jsonb WHERE id = %s",
                '["not", "a", "dict"]',
                ids[-2],
            )
        )
        Ledger.invalidate_model()
        return ids

    @mute_logger(*REFUSALS)
    def test_malformed_ledger_lines_read_as_safe_text(self):
        ids = self._insert_bad_lines()
        for user in (self.admin, self.manager, self.rep):
            with self.subTest(user=user.login):
                lines = {line["id"]: line for line in self._ledger(user)}
                reasons = [lines[line_id]["reason"] for line_id in ids]
                self.assertEqual(
                    reasons,
                    [
                        "released to the pool by ?: ?",
                        "round robin: next after ?",
                        "rr_after",
                        "weighted: weight ? of 1, ?",
                        "?",
                        "round robin: next after ?",
                        "round robin: next after ?",
                        "overflow: team leader (pool: waits to be claimed)",
                        "no_such_code",
                        "",
                        "manual",
                        reasons[-1],
                    ],
                )
                self.assertIn("?", reasons[-1])
                self.assertNotIn(SECRET, " ".join(reasons))
        # The lead's form, which shows the ledger, reads too.
        [lead] = self._rpc(
            self.rep,
            "crm.lead",
            "web_read",
            self.lead.ids,
            specification={"assignment_ids": {"fields": {"reason": {}}}},
        )
        self.assertIn(
            "released to the pool by ?: ?",
            [line["reason"] for line in lead["assignment_ids"]],
        )

    def test_reason_names_records_of_the_module_only(self):
        with self.assertRaises(ValueError):
            Reason.ref(self.secret)
        self.assertEqual(
            Reason("rr_after", {"user": Reason.ref(self.rep)}).render(self.env),
            f"round robin: next after {self.rep.name}",
        )

    # ------------------------------------------------------------
    # Context keys are data
    # ------------------------------------------------------------

    @mute_logger(*REFUSALS)
    def test_handover_key_from_json_does_not_skip_the_archive_guard(self):
        message = self._refused(
            RPC_FAULT_CODE_WARNING,
            self.admin,
            "res.users",
            "action_archive",
            self.rep.ids,
            context={"sales_team_queue_handover_done": True},
        )
        self.assertIn("Hand them over first", message)
        self.env.invalidate_all()
        self.assertTrue(self.rep.active)

    def test_dashboard_figure_only_chooses_among_the_server_lists(self):
        pool = [["queue_id", "=", self.queue.id], ["queue_state", "=", "pool"]]
        for figure in (
            [("id", ">", 0)],
            {"domain": [("id", ">", 0)], "res_model": "res.users"},
            "res.users",
        ):
            with self.subTest(figure=figure):
                action = self._rpc(
                    self.leader,
                    "crm.team.queue",
                    "action_dashboard_open",
                    self.queue.ids,
                    context={"dashboard_figure": figure},
                )
                self.assertEqual(
                    (action["res_model"], action["domain"]), ("crm.lead", pool)
                )

    def test_pool_action_sends_no_routing_default(self):
        action = self._rpc(
            self.manager, "crm.team.queue", "action_view_pool", self.queue.ids
        )
        self.assertNotIn("default_queue_id", action["context"])
        self.assertEqual(action["context"]["default_team_id"], self.team.id)

    # ------------------------------------------------------------
    # Stored figures are the server's
    # ------------------------------------------------------------

    @mute_logger(*REFUSALS)
    def test_leader_cannot_write_the_figures_of_their_target(self):
        for user in (self.leader, self.manager):
            for values in (
                {"revenue_achieved": 999999},
                {"won_count_achieved": 99},
                {"progress": 999},
                {"is_top": True},
                {"revenue_target": 10, "progress": 100},
            ):
                with self.subTest(user=user.login, values=values):
                    message = self._refused(
                        RPC_FAULT_CODE_ACCESS_ERROR,
                        user,
                        "crm.sales.target",
                        "write",
                        self.target.ids,
                        values,
                    )
                    self.assertIn("computed by the server", message)
        self.env.invalidate_all()
        self.assertEqual(
            (self.target.revenue_achieved, self.target.progress, self.target.is_top),
            (0, 0, False),
        )
        self.assertEqual(self.target.revenue_target, 1000)
        # What the leader sets is theirs to set.
        self._rpc(
            self.leader,
            "crm.sales.target",
            "write",
            self.target.ids,
            {"revenue_target": 2000},
        )
        self.env.invalidate_all()
        self.assertEqual(self.target.revenue_target, 2000)

    @mute_logger(*REFUSALS)
    def test_leader_cannot_create_a_target_with_figures(self):
        values = {
            "user_id": self.rep.id,
            "team_id": self.team.id,
            "date_from": "2030-01-01",
            "revenue_target": 1000,
        }
        self._refused(
            RPC_FAULT_CODE_ACCESS_ERROR,
            self.leader,
            "crm.sales.target",
            "create",
            dict(values, revenue_achieved=999999, progress=999),
        )
        self._refused(
            RPC_FAULT_CODE_ACCESS_ERROR,
            self.leader,
            "crm.sales.target",
            "create",
            values,
            context={"default_progress": 999},
        )
        target_id = self._rpc(self.leader, "crm.sales.target", "create", values)
        copy_id = self._rpc(
            self.leader,
            "crm.sales.target",
            "copy",
            [target_id],
            {"date_from": "2030-02-01", "date_to": "2030-02-28"},
        )
        self.assertTrue(copy_id)

    @mute_logger(*REFUSALS)
    def test_manager_cannot_write_routing_state_or_member_figures(self):
        member = self.queue.member_ids
        state = (self.queue.rr_last_sequence, member.wrr_current)
        queue_refusal = "the routing state of a queue is kept by routing"
        member_refusal = "a member's figures are counted from their leads"
        for model, record, values, refusal in (
            (
                "crm.team.queue",
                self.queue,
                {"rr_last_member_id": member.id},
                queue_refusal,
            ),
            ("crm.team.queue", self.queue, {"rr_last_sequence": 7}, queue_refusal),
            ("crm.team.queue.member", member, {"wrr_current": 100}, member_refusal),
            ("crm.team.queue.member", member, {"assigned_today": 0}, member_refusal),
        ):
            with self.subTest(model=model, values=values):
                message = self._refused(
                    RPC_FAULT_CODE_ACCESS_ERROR,
                    self.manager,
                    model,
                    "write",
                    record.ids,
                    values,
                )
                self.assertIn(refusal, message)
        self._refused(
            RPC_FAULT_CODE_ACCESS_ERROR,
            self.manager,
            "crm.team.queue.member",
            "create",
            {"queue_id": self.queue.id, "user_id": self.leader.id, "wrr_current": 50},
        )
        self.env.invalidate_all()
        self.assertEqual((self.queue.rr_last_sequence, member.wrr_current), state)
        self.assertEqual(member.search_count([("queue_id", "=", self.queue.id)]), 1)
        # The settings stay the manager's, and a copy carries no routing state.
        self._rpc(
            self.manager, "crm.team.queue.member", "write", member.ids, {"weight": 3}
        )
        # (as the administrator: a sales manager's queue changes stumble on the
        # timers cron of crm_lead_sla.py, which they may not read)
        copy_id = self._rpc(self.admin, "crm.team.queue", "copy", self.queue.ids)
        self.env.invalidate_all()
        self.assertEqual(member.weight, 3)
        self.assertFalse(self.queue.browse(copy_id).rr_last_member_id)

    @mute_logger(*REFUSALS)
    def test_a_default_of_ones_own_sets_no_server_owned_field(self):
        # Any user may keep defaults of their own (ir.default, "Set Defaults"
        # in debug mode), which a create adds to its values after its checks:
        # a figure or a turn set that way is set by hand all the same.
        values = {
            "user_id": self.rep.id,
            "team_id": self.team.id,
            "date_from": "2030-01-01",
            "revenue_target": 1000,
        }
        for user, model, field, value, create in (
            (self.leader, "crm.sales.target", "revenue_achieved", 999999, values),
            (self.leader, "crm.sales.target", "won_count_achieved", 99, values),
            (
                self.manager,
                "crm.team.queue.member",
                "wrr_current",
                50,
                {"queue_id": self.queue.id, "user_id": self.leader.id},
            ),
            (
                self.manager,
                "crm.team.queue",
                "rr_last_sequence",
                7,
                {"name": "Defaults Queue", "team_id": self.team.id},
            ),
        ):
            with self.subTest(model=model, field=field):
                self._rpc(user, "ir.default", "set", model, field, value, True)
                message = self._refused(
                    RPC_FAULT_CODE_ACCESS_ERROR, user, model, "create", create
                )
                self.assertIn("User-defined Defaults", message)
                self.assertFalse(
                    self.env[model].search_count([(field, "=", value)]), field
                )

    # ------------------------------------------------------------
    # Ledger and stage history are append-only
    # ------------------------------------------------------------

    @mute_logger(*REFUSALS)
    def test_ledger_and_stage_history_are_append_only_over_rpc(self):
        ledger_line = self.lead.assignment_ids.sorted("id")[-1]
        history_line = self.lead.stage_history_ids.sorted("id")[-1]
        self.assertTrue(history_line)
        counts = (len(self.lead.assignment_ids), len(self.lead.stage_history_ids))
        before = (ledger_line.method, history_line.event)
        cases = (
            (
                "crm.lead.assignment",
                ledger_line,
                {"lead_id": self.lead.id, "method": "claim"},
                {"method": "claim", "user_id": self.leader.id},
            ),
            (
                "crm.lead.stage.history",
                history_line,
                {"lead_id": self.lead.id, "event": "won"},
                {"event": "won", "probability": 100},
            ),
        )
        for user in (self.rep, self.leader, self.manager, self.admin):
            for model, line, create_values, write_values in cases:
                with self.subTest(user=user.login, model=model):
                    self._refused(
                        RPC_FAULT_CODE_ACCESS_ERROR,
                        user,
                        model,
                        "create",
                        create_values,
                    )
                    self._refused(
                        RPC_FAULT_CODE_ACCESS_ERROR,
                        user,
                        model,
                        "write",
                        line.ids,
                        write_values,
                    )
                    self._refused(
                        RPC_FAULT_CODE_ACCESS_ERROR, user, model, "unlink", line.ids
                    )
        self.env.invalidate_all()
        self.assertEqual(
            (ledger_line.exists().method, history_line.exists().event), before
        )
        self.assertEqual(
            (len(self.lead.assignment_ids), len(self.lead.stage_history_ids)), counts
        )
