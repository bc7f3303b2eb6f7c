"""Both wizards in a real browser: a team leader assigns two leads from the
leads list's Actions menu; a sales manager previews and applies a handover."""

from odoo.tests import tagged

from .common import SALESMAN, TourCase


@tagged("post_install", "-at_install")
class TestWizardTours(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_demo_queues()
        # No default activity anywhere: the wizard offers a To-Do, unticked.
        cls.env.company.queue_activity_type_id = False
        cls.giver, cls.receiver, cls.leaver, cls.heir = cls._tour_users(
            ("tour_assign_giver", "Tour Assign Giver"),
            ("tour_assign_receiver", "Tour Assign Receiver"),
            ("tour_handover_leaver", "Tour Handover Leaver"),
            ("tour_handover_receiver", "Tour Handover Receiver"),
            groups=SALESMAN,
        )
        cls.leader = cls._tour_user(
            "tour_assign_leader",
            "Tour Assign Leader",
            groups="sales_team.group_sale_salesman_all_leads,crm.group_use_lead",
        )
        cls.team = cls._tour_team(
            "Tour Wizard Team",
            cls.giver | cls.receiver | cls.leaver | cls.heir,
            leader=cls.leader,
            use_leads=True,
        )
        # Priority 3 puts them first in the list (priority desc, id desc).
        cls.leads = cls.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "lead",
                    "priority": "3",
                    "team_id": cls.team.id,
                    "user_id": cls.giver.id,
                }
                for name in ("Tour Assign One", "Tour Assign Two")
            ]
        )

    def test_team_leader_assigns_two_leads_from_the_list(self):
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads?view_type=list",
            "sales_team_queue_assign_wizard",
            login="tour_assign_leader",
        )
        self.assertEqual(self.leads.user_id, self.receiver)
        for lead in self.leads:
            line = lead.assignment_ids.sorted("id")[-1]
            self.assertEqual(
                (line.method, line.previous_user_id, line.create_uid),
                ("wizard", self.giver, self.leader),
            )
            self.assertEqual(
                line.reason, "assigned by Tour Assign Leader: Giver is on leave"
            )
            self.assertEqual(
                (lead.activity_ids.activity_type_id, lead.activity_ids.user_id),
                (self.env.ref("mail.mail_activity_data_email"), self.receiver),
            )

    def test_manager_previews_and_applies_a_handover(self):
        book = self.env["crm.lead"].create(
            [
                {
                    "name": f"Tour Handover Lead {i}",
                    "team_id": self.team.id,
                    "user_id": self.leaver.id,
                }
                for i in range(3)
            ]
        )
        self.start_tour(
            "/odoo/action-sales_team_queue.crm_salesperson_handover_action",
            "sales_team_queue_handover_wizard",
            login="admin",
        )
        self.assertEqual(book.user_id, self.heir)
        self.assertEqual(
            set(book.assignment_ids.mapped("method")) - {"manual", "created"},
            {"handover"},
        )

    def test_archiving_a_rep_with_leads_offers_the_handover(self):
        rep = self._tour_user("tour_archive_rep", "Tour Archive Rep", groups=SALESMAN)
        self.team.member_ids |= rep
        # The guard applies once lead queues are in use.
        self._tour_queue("Tour Archive Queue", self.team, self.heir, quiet=False)
        lead = self.env["crm.lead"].create(
            {"name": "Tour Archive Lead", "team_id": self.team.id, "user_id": rep.id}
        )
        activity = lead.activity_schedule(
            "mail.mail_activity_data_todo", user_id=rep.id
        )
        # The offer is a refusal the user acts on: one warning line, no
        # error and no traceback.
        with self.assertLogs("odoo.http", "WARNING") as logs:
            self.start_tour(
                f"/odoo/action-base.action_res_users/{rep.id}",
                "sales_team_queue_archive_offers_handover",
                login="admin",
            )
        self.assertEqual(
            [(record.levelname, bool(record.exc_info)) for record in logs.records],
            [("WARNING", False)],
        )
        self.assertFalse(rep.active)
        self.assertEqual(lead.user_id, self.heir)
        self.assertEqual(activity.user_id, self.heir)
