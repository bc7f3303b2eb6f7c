"""A lead committed unrouted is never forgotten: the transaction that leaves a
lead to its after-commit routing (the queues were busy) commits a trigger of
the backlog cron with it, so that the cron routes the lead even when nothing
runs after the commit (the worker killed, its connection cut). On real cursors
and committed data: the "dead worker" is a transaction committed without its
post-commit hooks."""

import time

import odoo
from odoo import api, fields
from odoo.tests import tagged

from odoo.addons.base.models.ir_cron import ir_cron as IrCron
from odoo.addons.sales_team_queue.models.crm_lead import (
    BACKLOG_CRON,
    ROUTE_LATER,
    TRIGGER_DELAY,
)

from .common import CommittedQueueCase


@tagged("post_install", "-at_install")
class TestQueueSafetyNet(CommittedQueueCase):
    def setUp(self):
        super().setUp()
        self._make_queue("round_robin")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            self.cron_id = env.ref(BACKLOG_CRON).id
            self.assertTrue(env.ref(BACKLOG_CRON).active, "on while a queue exists")
            # Triggers committed by earlier tests (no cron runs in tests) would
            # count as stale ones here.
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [self.cron_id])
            # Not due by its interval: only a trigger makes it run.
            cr.execute("SELECT nextcall FROM ir_cron WHERE id = %s", [self.cron_id])
            self.nextcall = cr.fetchone()[0]
            cr.execute(
                "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + "
                "interval '1 day' WHERE id = %s",
                [self.cron_id],
            )
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_trigger")
            self.first_trigger_id = cr.fetchone()[0] + 1
        self.addCleanup(self._restore_cron)

    def _restore_cron(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM ir_cron_trigger WHERE id >= %s", [self.first_trigger_id]
            )
            cr.execute(
                "UPDATE ir_cron SET nextcall = %s WHERE id = %s",
                [self.nextcall, self.cron_id],
            )

    def _trigger_ids(self, cr):
        """Ids of the backlog cron's triggers written by this test, seen by
        ``cr``'s transaction."""
        cr.execute(
            "SELECT id FROM ir_cron_trigger WHERE cron_id = %s AND id >= %s",
            [self.cron_id, self.first_trigger_id],
        )
        return [row[0] for row in cr.fetchall()]

    def _deferred_leads(self, cr2, names):
        """Create ``names`` in ``cr2``'s transaction after another worker has
        routed a lead and committed since ``cr2``'s snapshot: the queues are
        'busy' for ``cr2``, its leads are saved unrouted."""
        cr2.execute("SELECT 1")  # cr2's snapshot begins
        with self.registry.cursor() as cr1:
            self._create_lead(cr1, "Worker 1")
            cr1.commit()
        leads = [self._create_lead(cr2, name) for name in names]
        for lead in leads:
            self.assertFalse(lead.user_id, "the queues were busy: routed later")
        return [lead.id for lead in leads]

    def _run_backlog_cron(self):
        """What Odoo's cron worker does for the backlog cron once it wakes up:
        acquire the job if it is due, run it, reschedule it."""
        db = odoo.sql_db.db_connect(self.env.cr.dbname)
        with db.cursor() as cron_cr:
            job = IrCron._acquire_one_job(cron_cr, self.cron_id)
            self.assertTrue(job, "the backlog cron is due")
            self.registry["ir.cron"]._process_job(db, cron_cr, job)

    @staticmethod
    def _ready_cron_ids(cr):
        """Ids of the crons that Odoo's cron worker would run now."""
        return [job["id"] for job in IrCron._get_all_ready_jobs(cr)]

    def _listen(self):
        """A connection listening to the cron workers' wake-up channel (on the
        'postgres' database, as Odoo's cron workers do)."""
        listener = odoo.sql_db.db_connect("postgres").cursor()
        listener.execute("LISTEN cron_trigger")
        listener.commit()

        def close():
            listener.execute("UNLISTEN *")
            listener.commit()
            listener.close()

        self.addCleanup(close)
        return listener

    def _wake_ups(self, listener):
        time.sleep(0.2)
        listener._cnx.poll()
        dbname = self.env.cr.dbname
        return [n for n in listener._cnx.notifies if n.payload == dbname]

    def test_lead_routed_at_once_writes_no_trigger(self):
        with self.registry.cursor() as cr:
            lead = self._create_lead(cr, "Routed at once")
            self.assertTrue(lead.user_id)
            self.assertEqual(self._trigger_ids(cr), [])
            self.assertNotIn(ROUTE_LATER, cr.postcommit.data)
            cr.rollback()

    def test_deferred_leads_commit_one_trigger_with_them(self):
        with self.registry.cursor() as cr2:
            self._deferred_leads(cr2, ["Deferred 1", "Deferred 2"])
            triggers = self._trigger_ids(cr2)
            self.assertEqual(len(triggers), 1, "one trigger per transaction")
            cr2.execute("SELECT call_at FROM ir_cron_trigger WHERE id = %s", triggers)
            call_at = cr2.fetchone()[0]
            # Due once the after-commit routing has had the time to delete it.
            now = fields.Datetime.now()
            self.assertGreater(call_at, now)
            self.assertLessEqual(call_at, now + TRIGGER_DELAY)
            cr2.rollback()

    def test_backlog_cron_routes_leads_whose_worker_died_after_commit(self):
        with self.registry.cursor() as cr2:
            lead_ids = self._deferred_leads(cr2, ["Orphan 1", "Orphan 2"])
            # The worker dies right after its commit: no post-commit hook runs.
            cr2.postcommit.clear()
            cr2.commit()
        with self.registry.cursor() as cr:
            self.assertEqual(len(self._trigger_ids(cr)), 1, "committed with them")
            env = api.Environment(cr, self.admin_id, {})
            orphans = env["crm.lead"].browse(lead_ids)
            self.assertEqual(set(orphans.mapped("queue_state")), {"unrouted"})
            self.assertEqual(
                orphans.filtered_domain(env["crm.lead"]._get_backlog_domain()),
                orphans,
                "the backlog cron looks for them",
            )
            self.assertNotIn(self.cron_id, self._ready_cron_ids(cr), "not yet")
            # TRIGGER_DELAY later, nothing has routed them: the trigger is due.
            cr.execute(
                "UPDATE ir_cron_trigger SET call_at = call_at - %s WHERE id IN %s",
                [TRIGGER_DELAY, tuple(self._trigger_ids(cr))],
            )
            self.assertIn(self.cron_id, self._ready_cron_ids(cr))
        self._run_backlog_cron()
        outcome = self._leads_outcome(lead_ids)
        anan, bao, chai = self.user_ids
        # Worker 1 had Anan: the orphans get the next turns.
        self.assertEqual(
            [(user, state) for user, state, _ledger in outcome],
            [(bao, "assigned"), (chai, "assigned")],
        )
        with self.registry.cursor() as cr:
            self.assertEqual(self._trigger_ids(cr), [], "the cron consumed it")

    def test_routing_after_commit_deletes_its_trigger(self):
        with self.registry.cursor() as cr2:
            lead_ids = self._deferred_leads(cr2, ["Deferred"])
            cr2.commit()  # runs the after-commit routing
        (outcome,) = self._leads_outcome(lead_ids)
        self.assertEqual(outcome[:2], (self.user_ids[1], "assigned"))
        with self.registry.cursor() as cr:
            self.assertEqual(self._trigger_ids(cr), [], "nothing left for the cron")

    def test_routing_after_commit_wakes_the_cron_for_a_stale_trigger(self):
        """A trigger already due was left by a worker that died after its
        commit: the next after-commit routing wakes the cron for it instead of
        leaving it to the cron's next poll (a minute). Creating leads may wake
        the cron for Odoo's own crons too: the same scenario without a due
        trigger counts those."""
        listener = self._listen()
        with self.registry.cursor() as cr2:
            self._deferred_leads(cr2, ["Deferred 1"])
            cr2.commit()
        others = len(self._wake_ups(listener))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            env["ir.cron.trigger"].sudo().create(
                {
                    "cron_id": self.cron_id,
                    "call_at": fields.Datetime.subtract(
                        fields.Datetime.now(), minutes=1
                    ),
                }
            )
        listener._cnx.notifies.clear()
        with self.registry.cursor() as cr2:
            self._deferred_leads(cr2, ["Deferred 2"])
            cr2.commit()
        self.assertEqual(len(self._wake_ups(listener)), others + 1)
