from contextlib import contextmanager

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CommittedCase
from .stage_common import StageCase


@tagged("post_install", "-at_install")
class TestStageHistory(StageCase):
    def _lines(self, lead):
        """History of ``lead``, oldest first, as comparable tuples."""
        return [
            (line.event, line.previous_stage_id, line.stage_id, line.probability)
            for line in lead.stage_history_ids.sorted(lambda line: (line.date, line.id))
        ]

    def test_create_writes_a_line(self):
        self._set_mode("stage")
        lead = self._opportunity()
        line = lead.stage_history_ids
        self.assertRecordValues(
            line,
            [
                {
                    "event": "create",
                    "stage_id": self.interested.id,
                    "stage_name": "Interested",
                    "previous_stage_id": False,
                    "user_id": self.env.uid,
                    "salesperson_id": self.rep.id,
                    "team_id": self.team.id,
                    "probability": 10,
                    "duration_hours": 0,
                }
            ],
        )

    def test_stage_change_writes_a_line_with_time_in_previous_stage(self):
        with self.at(self.hours(0)):
            lead = self._opportunity()
        with self.at(self.hours(5.5)):
            lead.with_user(self.rep).stage_id = self.presented
        line = lead.stage_history_ids[0]
        self.assertRecordValues(
            line,
            [
                {
                    "event": "stage",
                    "previous_stage_id": self.interested.id,
                    "previous_stage_name": "Interested",
                    "stage_id": self.presented.id,
                    "date": self.hours(5.5),
                    "user_id": self.rep.id,
                    "duration_hours": 5.5,
                }
            ],
        )

    def test_time_in_stage_counts_from_the_last_change(self):
        with self.at(self.hours(0)):
            lead = self._opportunity()
        with self.at(self.hours(2)):
            lead.stage_id = self.presented
        with self.at(self.hours(26)):
            lead.stage_id = self.quoted
        self.assertEqual(lead.stage_history_ids[0].duration_hours, 24)

    def test_write_without_stage_change_writes_no_line(self):
        lead = self._opportunity()
        lead.write({"stage_id": self.interested.id, "description": "Same stage"})
        self.assertEqual(len(lead.stage_history_ids), 1)

    def test_won_lost_and_restore_each_write_a_line(self):
        self._set_mode("stage")
        lead = self._opportunity(stage_id=self.quoted.id)
        lead.action_set_lost()
        lead.toggle_active()
        lead.action_set_won()
        self.assertEqual(
            self._lines(lead),
            [
                ("create", self.env["crm.stage"], self.quoted, 50),
                ("lost", self.quoted, self.quoted, 0),
                ("restore", self.quoted, self.quoted, 50),
                ("won", self.quoted, self.won, 100),
            ],
        )

    def test_restore_line_of_a_predictive_lead_has_its_rescored_probability(self):
        lead = self._opportunity(stage_id=self.quoted.id)
        lead.action_set_lost()
        lead.toggle_active()
        self.assertEqual(lead.stage_history_ids[0].event, "restore")
        self.assertEqual(lead.stage_history_ids[0].probability, lead.probability)

    def test_history_is_listed_newest_first(self):
        with self.at(self.hours(0)):
            lead = self._opportunity()
        with self.at(self.hours(1)):
            lead.stage_id = self.presented
        with self.at(self.hours(2)):
            lead.stage_id = self.quoted
        self.assertEqual(
            lead.stage_history_ids.mapped("stage_id"),
            self.quoted | self.presented | self.interested,
        )

    def test_merge_keeps_the_history_of_merged_opportunities(self):
        with self.at(self.hours(0)):
            kept = self._opportunity("Kept", stage_id=self.quoted.id)
            merged = self._opportunity("Merged")
        with self.at(self.hours(3)):
            merged.stage_id = self.presented
        merged_lines = merged.stage_history_ids
        result = (kept | merged).merge_opportunity()
        self.assertEqual(result, kept)
        self.assertFalse(merged.exists())
        self.assertEqual(len(kept.stage_history_ids), 3)
        self.assertTrue(merged_lines <= kept.stage_history_ids)
        self.assertEqual(set(merged_lines.mapped("merged_from")), {"Merged"})

    def test_merged_history_does_not_shorten_the_kept_lead_time_in_stage(self):
        with self.at(self.hours(0)):
            kept = self._opportunity("Kept", stage_id=self.quoted.id)
        with self.at(self.hours(10)):
            merged = self._opportunity("Merged")
            (kept | merged).merge_opportunity()
        with self.at(self.hours(12)):
            kept.stage_id = self.presented
        self.assertEqual(kept.stage_history_ids[0].duration_hours, 12)

    def test_import_without_tracking_writes_history(self):
        Lead = self.env["crm.lead"].with_context(
            tracking_disable=True, import_file=True
        )
        result = Lead.load(
            ["name", "type", "team_id/.id", "stage_id/.id"],
            [["Imported", "opportunity", str(self.team.id), str(self.quoted.id)]],
        )
        self.assertFalse(result["messages"])
        lead = Lead.browse(result["ids"])
        Lead.load([".id", "stage_id/.id"], [[str(lead.id), str(self.presented.id)]])
        self.assertEqual(
            [line[:3] for line in self._lines(lead)],
            [
                ("create", self.env["crm.stage"], self.quoted),
                ("stage", self.quoted, self.presented),
            ],
        )

    def test_deleting_a_stage_keeps_the_history_readable(self):
        temporary = self.env["crm.stage"].create(
            {"name": "Demo Call", "sequence": -35, "team_id": self.team.id}
        )
        lead = self._opportunity(stage_id=temporary.id)
        lead.stage_id = self.quoted
        temporary.unlink()
        self.env.invalidate_all()
        self.assertRecordValues(
            lead.stage_history_ids.sorted("id"),
            [
                {
                    "stage_id": False,
                    "stage_name": "Demo Call",
                    "previous_stage_id": False,
                    "previous_stage_name": False,
                },
                {
                    "stage_id": self.quoted.id,
                    "stage_name": "Quoted",
                    "previous_stage_id": False,
                    "previous_stage_name": "Demo Call",
                },
            ],
        )

    def test_history_keeps_stage_name_translations(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.quoted.with_context(lang="fr_FR").name = "Devis envoyé"
        lead = self._opportunity(stage_id=self.quoted.id)
        line = lead.stage_history_ids
        self.assertEqual(line.with_context(lang="fr_FR").stage_name, "Devis envoyé")
        self.assertEqual(line.with_context(lang="en_US").stage_name, "Quoted")


@tagged("post_install", "-at_install")
class TestStageHistoryBatch(StageCase):
    """Moving many opportunities in one write records their history in one
    insert: the history costs a constant number of queries per write call."""

    @contextmanager
    def _capture_queries(self):
        queries = []
        with contextmanager(self._patchExecute)(queries):
            yield queries

    def _move(self, count):
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Bulk {i}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.rep.id,
                    "stage_id": self.interested.id,
                }
                for i in range(count)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        with self._capture_queries() as queries:
            leads.write({"stage_id": self.presented.id})
        history = [q for q in queries if "crm_lead_stage_history" in q]
        locks = [q for q in queries if "FOR NO KEY UPDATE" in q]
        return leads, history, locks, len(queries)

    def test_moving_1000_opportunities_writes_history_in_one_batch(self):
        self._set_mode("stage")
        leads, history, locks, _count = self._move(1000)
        inserts = [q for q in history if q.lstrip().upper().startswith("INSERT")]
        self.assertEqual(len(inserts), 1)
        self.assertEqual(len(history) + len(locks), 3)
        lines = self.env["crm.lead.stage.history"].search(
            [("lead_id", "in", leads.ids), ("event", "=", "stage")]
        )
        self.assertEqual(len(lines), 1000)
        self.assertEqual(set(lines.mapped("probability")), {20})

    def test_history_queries_do_not_grow_with_the_number_of_leads(self):
        self._set_mode("stage")
        _leads, history_10, locks_10, count_10 = self._move(10)
        _leads, history_300, locks_300, count_300 = self._move(300)
        self.assertEqual(len(history_10) + len(locks_10), 3)
        self.assertEqual(len(history_300) + len(locks_300), 3)
        # Odoo's own update goes by batches of 100 rows: 2 more for 300 leads.
        self.assertLessEqual(count_300 - count_10, 3)


@tagged("post_install", "-at_install")
class TestStageHistoryConcurrency(CommittedCase):
    """Two users move the same lead at the same time, in two real transactions."""

    def setUp(self):
        super().setUp()
        with self._worker_env(SUPERUSER_ID, {"tracking_disable": True}) as env:
            team = self._commit_teams(env, {"name": "Concurrency Team"})
            stages = env["crm.stage"].create(
                [
                    {"name": name, "sequence": -50 + i, "team_id": team.id}
                    for i, name in enumerate(("Contest A", "Contest B", "Contest C"))
                ]
            )
            lead = env["crm.lead"].create(
                {
                    "name": "Contested",
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": False,
                    "stage_id": stages[0].id,
                }
            )
            self.lead_id = lead.id
            self.stage_a, self.stage_b, self.stage_c = stages.ids

    def _env(self, user_id):
        return self._open_worker_env(user_id, {"tracking_disable": True})

    def test_concurrent_moves_leave_a_consistent_history(self):
        admin = self.env.ref("base.user_admin").id
        env1, env2 = self._env(admin), self._env(SUPERUSER_ID)
        lead1 = env1["crm.lead"].browse(self.lead_id)
        lead2 = env2["crm.lead"].browse(self.lead_id)
        # Both users have the lead open in stage A.
        self.assertEqual(lead1.stage_id.id, self.stage_a)
        self.assertEqual(lead2.stage_id.id, self.stage_a)

        lead1.stage_id = self.stage_b
        env1.cr.commit()
        with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
            lead2.stage_id = self.stage_c
            env2.flush_all()
        env2.cr.rollback()
        # Odoo retries the failed request: it now starts from stage B.
        lead2.stage_id = self.stage_c
        env2.cr.commit()

        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT event, previous_stage_id, stage_id, user_id
                  FROM crm_lead_stage_history
                 WHERE lead_id = %s ORDER BY date, id
                """,
                [self.lead_id],
            )
            self.assertEqual(
                cr.fetchall(),
                [
                    ("create", None, self.stage_a, SUPERUSER_ID),
                    ("stage", self.stage_a, self.stage_b, admin),
                    ("stage", self.stage_b, self.stage_c, SUPERUSER_ID),
                ],
            )
