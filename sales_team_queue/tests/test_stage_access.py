from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .stage_common import ALL_LEADS, StageCase


@tagged("post_install", "-at_install")
class TestStageHistoryAccess(StageCase):
    """The stage history and the stage analysis show exactly the leads a user can
    see: group x owner x state x company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.all_leads = new_test_user(
            cls.env, login="st_all_leads", name="Stage All Leads", groups=ALL_LEADS
        )
        other_company = cls.env["res.company"].create({"name": "Stage Other Co"})
        other_team = cls.env["crm.team"].create(
            {"name": "Other Company Team", "company_id": other_company.id}
        )

        def lead(name, **values):
            lead = cls.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": cls.team.id,
                    "stage_id": cls.interested.id,
                    **values,
                }
            )
            lead.stage_id = cls.presented
            return lead

        cls.leads = {
            "own": lead("Own", user_id=cls.rep.id),
            "other_rep": lead("Other Rep", user_id=cls.rep2.id),
            "unassigned": lead("Unassigned", user_id=False),
            "own_lost": lead("Own Lost", user_id=cls.rep.id),
            "other_company": lead(
                "Other Company",
                user_id=False,
                team_id=other_team.id,
                company_id=other_company.id,
            ),
        }
        cls.leads["own_lost"].action_set_lost()
        cls.env.flush_all()

    # user -> leads whose history they see
    MATRIX = {
        "rep": {"own", "unassigned", "own_lost"},
        "rep2": {"other_rep", "unassigned"},
        "all_leads": {"own", "other_rep", "unassigned", "own_lost"},
        "manager": {"own", "other_rep", "unassigned", "own_lost"},
    }

    def test_history_is_visible_exactly_for_visible_leads(self):
        History = self.env["crm.lead.stage.history"]
        for login, expected in self.MATRIX.items():
            user = getattr(self, login)
            for key, lead in self.leads.items():
                with self.subTest(user=login, lead=key):
                    lines = History.with_user(user).search([("lead_id", "=", lead.id)])
                    self.assertEqual(bool(lines), key in expected)
                    # Same answer as the lead's own access rules.
                    self.assertEqual(
                        bool(lines), lead.with_user(user).has_access("read")
                    )

    def test_rep_cannot_read_history_of_a_lead_they_cannot_see(self):
        line = self.leads["other_rep"].stage_history_ids[0]
        with self.assertRaises(AccessError):
            line.with_user(self.rep).read(["stage_name", "probability"])

    def test_history_tab_of_a_visible_lead_lists_all_its_lines(self):
        lead = self.leads["own"].with_user(self.rep)
        self.assertEqual(lead.stage_history_ids.mapped("event"), ["stage", "create"])

    def test_stage_analysis_rows_are_visible_exactly_for_visible_leads(self):
        Analysis = self.env["crm.stage.analysis"]
        for login, expected in self.MATRIX.items():
            user = getattr(self, login)
            rows = Analysis.with_user(user).search(
                [("lead_id", "in", [lead.id for lead in self.leads.values()])]
            )
            with self.subTest(user=login):
                self.assertEqual(
                    {key for key, lead in self.leads.items() if lead in rows.lead_id},
                    expected,
                )
