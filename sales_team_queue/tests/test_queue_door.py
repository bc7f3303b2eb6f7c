"""One door for every change of owner: whatever the path (form, list, import,
RPC write, merge, claim, release), a change of salesperson of a lead that a
queue concerns goes through the assignment primitive and writes exactly one
ledger line with its method; the ledger itself is append-only."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.sales_team_queue.models.crm_team_queue_routing import HELD_TEAMS

from .common import QueueCase


@tagged("post_install", "-at_install")
class TestQueueDoor(QueueCase):
    def _lines(self, lead):
        return lead.assignment_ids.sorted("id")

    def test_manager_changing_salesperson_on_the_form_writes_a_manual_line(self):
        self._create_queue()
        lead = self._new_leads(1)
        self.assertEqual(lead.user_id, self.somchai)
        with Form(lead.with_user(self.niran)) as form:
            form.user_id = self.wei
        lines = self._lines(lead)
        self.assertEqual(len(lines), 2, "one line for the routing, one for the edit")
        self.assertEqual(
            (
                lines[-1].method,
                lines[-1].previous_user_id,
                lines[-1].user_id,
                lines[-1].reason,
            ),
            ("manual", self.somchai, self.wei, "set by Niran"),
        )
        self.assertEqual(lead.queue_id, lines[0].queue_id, "still the queue's lead")

    def test_writing_the_same_salesperson_writes_no_line(self):
        self._create_queue()
        lead = self._new_leads(1)
        lead.write({"user_id": self.somchai.id})
        self.assertEqual(len(lead.assignment_ids), 1)

    def test_mass_edit_writes_one_line_per_lead_in_one_insert(self):
        self._create_queue()
        small, large = self._new_leads(10), self._new_leads(200)

        def counted(leads):
            self.env.flush_all()
            before = self.cr.sql_log_count
            leads.write({"user_id": self.niran.id})
            self.env.flush_all()
            return self.cr.sql_log_count - before

        counted(self._new_leads(3))  # warm the caches
        queries_small, queries_large = counted(small), counted(large)
        self.assertEqual(
            self.env["crm.lead.assignment"].search_count(
                [("lead_id", "in", (small | large).ids), ("method", "=", "manual")]
            ),
            210,
        )
        self.assertLessEqual(
            queries_large - queries_small,
            5,
            f"10 leads: {queries_small} queries, 200 leads: {queries_large}",
        )

    def test_rep_taking_a_pool_lead_by_editing_salesperson_claims_it(self):
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        lead.with_user(self.wei).write({"user_id": self.wei.id})
        line = self._lines(lead)[-1]
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual((line.method, line.queue_id), ("claim", queue))
        self.assertEqual(line.reason, "claimed from the pool")

    def test_rep_outside_the_queue_cannot_take_a_pool_lead_by_editing(self):
        self._create_queue(users=self.somchai, strategy="pool")
        lead = self._new_leads(1)
        with self.assertRaisesRegex(UserError, "not an available member"):
            lead.with_user(self.wei).write({"user_id": self.wei.id})
        self.assertFalse(lead.user_id)

    def test_rep_emptying_salesperson_releases_the_lead_to_its_pool(self):
        queue = self._create_queue()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).write({"user_id": False})
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
        self.assertTrue(lead.pool_date)
        self._assert_last_line(
            lead, "recycle", self.somchai, "released to the pool by Somchai"
        )

    def test_release_with_a_reason_keeps_the_reason(self):
        self._create_queue()
        lead = self._new_leads(1)
        lead.with_user(self.somchai).action_release(reason="customer wants Thai")
        self.assertEqual(
            self._lines(lead)[-1].reason,
            "released to the pool by Somchai: customer wants Thai",
        )

    def test_import_with_a_salesperson_writes_a_line(self):
        self._create_queue()
        result = (
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            .load(["name", "user_id/id"], [["Imported", "__export__.none"]])
        )
        # An unknown salesperson is an import error, not a lost lead.
        self.assertFalse(result["ids"])
        self.wei.flush_recordset()
        xmlid = self.wei.get_external_id()[self.wei.id] or self._xmlid(self.wei)
        result = (
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            .load(["name", "user_id/id"], [["Imported", xmlid]])
        )
        lead = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(lead.user_id, self.wei)
        self.assertEqual(
            (lead.assignment_ids.method, lead.assignment_ids.user_id),
            ("manual", self.wei),
        )

    def _xmlid(self, record):
        self.env["ir.model.data"].create(
            {
                "module": "__test__",
                "name": f"rec_{record.id}",
                "model": record._name,
                "res_id": record.id,
            }
        )
        return f"__test__.rec_{record.id}"

    def test_merged_leads_ledger_follows_the_kept_lead(self):
        self._create_queue()
        first, second = self._new_leads(2)
        second_line = second.assignment_ids
        kept = (
            (first | second)
            .with_context(active_test=False)
            ._merge_opportunity(auto_unlink=True)
        )
        self.assertIn(second_line, kept.assignment_ids)
        self.assertEqual(second_line.lead_id, kept)

    def test_moving_a_lead_to_another_team_takes_it_out_of_the_queue(self):
        queue = self._create_queue(strategy="pool")
        lead = self._new_leads(1)
        self.assertEqual((lead.queue_id, lead.queue_state), (queue, "pool"))
        lead.write({"team_id": self.team_2.id})
        self.assertFalse(lead.queue_id)
        self.assertEqual(lead.queue_state, "unrouted")
        self.assertFalse(lead.pool_date)

    def test_moving_an_unassigned_lead_into_a_queue_team_routes_it(self):
        queue = self._create_queue()
        lead = self._new_leads(1, team_id=self.team_2.id)
        self.assertFalse(lead.queue_id)
        lead.write({"team_id": self.team.id})
        self.assertEqual((lead.queue_id, lead.user_id), (queue, self.somchai))

    def test_team_without_queue_keeps_odoo_behaviour(self):
        self._create_queue()
        lead = self.env["crm.lead"].create(
            {"name": "Plain", "team_id": self.team_2.id, "user_id": self.mai.id}
        )
        lead.write({"user_id": False})
        self.assertFalse(lead.assignment_ids, "no queue concerns this lead")

    # ------------------------------------------------------------
    # Append-only ledger
    # ------------------------------------------------------------

    def test_nobody_creates_edits_or_deletes_ledger_lines_through_the_api(self):
        self._create_queue()
        line = self._new_leads(1).assignment_ids
        admin = self.env.ref("base.user_admin")
        for user in (self.somchai, self.niran, admin):
            ledger = self.env["crm.lead.assignment"].with_user(user)
            with self.subTest(user=user.name):
                with self.assertRaises(AccessError):
                    ledger.create({"lead_id": line.lead_id.id, "method": "claim"})
                with self.assertRaises(AccessError):
                    line.with_user(user).write({"user_id": self.wei.id})
                with self.assertRaises(AccessError):
                    line.with_user(user).unlink()
        self.assertEqual(line.user_id, self.somchai)

    def test_ledger_lines_go_with_a_deleted_lead(self):
        self._create_queue()
        lead = self._new_leads(1)
        line = lead.assignment_ids
        lead.unlink()
        self.assertFalse(line.exists())

    def test_held_teams_come_only_from_the_server(self):
        """The door writes the queue rows of the teams that get leads (so that
        an older routing re-reads) unless its caller holds them for that call,
        which only the server can say: a list sent in a client's context (JSON)
        holds nothing."""
        self._create_queue()
        Queue = self.env["crm.team.queue"]

        def queries(context_value):
            queue = Queue.with_context(**{HELD_TEAMS: context_value})
            self.env.flush_all()
            before = self.cr.sql_log_count
            queue._hold_team_rows([self.team.id])
            return self.cr.sql_log_count - before

        self.assertEqual(queries(frozenset([self.team.id])), 0, "held by the server")
        self.assertEqual(queries([self.team.id]), 1, "a client's list is data")
        self.assertEqual(queries(None), 1)
