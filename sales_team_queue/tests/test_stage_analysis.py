from datetime import timedelta

from odoo.tests import tagged

from .stage_common import T0, StageCase


@tagged("post_install", "-at_install")
class TestStageAnalysis(StageCase):
    """Five opportunities with known timings (hours after T0):

    ========  =========  ===========  ==========================================
    lead      owner      team         path
    ========  =========  ===========  ==========================================
    L1        rep        Stage Team   Interested 0 -> Presented 10 -> Quoted 30
    L2        rep        Stage Team   Interested 0 -> Presented 20 -> lost 40
    L3        rep        Stage Team   Interested 0 -> Presented 90
    L4        rep2       Stage Team   Interested 0 -> Presented 60
    L5        rep2       Second Team  Interested 0 -> Quoted 40 days later
    ========  =========  ===========  ==========================================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second_team = cls.env["crm.team"].create({"name": "Second Team"})
        with cls._at(T0):
            cls.l1, cls.l2, cls.l3, cls.l4 = (
                cls._create(name, user)
                for name, user in (
                    ("L1", cls.rep),
                    ("L2", cls.rep),
                    ("L3", cls.rep),
                    ("L4", cls.rep2),
                )
            )
            cls.l5 = cls._create("L5", cls.rep2, team=cls.second_team)
        for hours, lead, stage in (
            (10, cls.l1, cls.presented),
            (20, cls.l2, cls.presented),
            (30, cls.l1, cls.quoted),
            (60, cls.l4, cls.presented),
            (90, cls.l3, cls.presented),
            (40 * 24, cls.l5, cls.quoted),
        ):
            with cls._at(T0 + timedelta(hours=hours)):
                lead.stage_id = stage
        with cls._at(T0 + timedelta(hours=40)):
            cls.l2.action_set_lost()
        cls.env.flush_all()

    @classmethod
    def _at(cls, when):
        return cls.at(cls, when)

    @classmethod
    def _create(cls, name, user, team=None):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": (team or cls.team).id,
                "user_id": user.id,
                "stage_id": cls.interested.id,
            }
        )

    def _stats(self, groupby, aggregates, stage):
        leads = self.l1 | self.l2 | self.l3 | self.l4 | self.l5
        return {
            group[0]: group[1:]
            for group in self.env["crm.stage.analysis"]._read_group(
                [("lead_id", "in", leads.ids), ("stage_id", "=", stage.id)],
                [groupby],
                aggregates,
            )
        }

    def test_average_and_median_hours_in_stage_per_team(self):
        stats = self._stats(
            "team_id",
            ["duration_hours:avg", "median_hours_team:avg"],
            self.interested,
        )
        self.assertEqual(stats[self.team], (45.0, 40.0))
        self.assertEqual(stats[self.second_team], (960.0, 960.0))

    def test_average_and_median_hours_in_stage_per_salesperson(self):
        stats = self._stats(
            "salesperson_id",
            ["duration_hours:avg", "median_hours_salesperson:avg"],
            self.interested,
        )
        self.assertEqual(stats[self.rep], (40.0, 20.0))
        self.assertEqual(stats[self.rep2], (510.0, 510.0))

    def test_median_hours_in_stage_over_all_teams(self):
        stats = self._stats("stage_id", ["median_hours:avg"], self.interested)
        self.assertEqual(stats[self.interested], (60.0,))

    def test_stay_still_in_progress_does_not_count_in_the_time_in_stage(self):
        # Presented: 20 h then moved on (L1), 20 h then lost (L2); L3 and L4 are
        # still there.
        stats = self._stats("stage_id", ["duration_hours:avg"], self.presented)
        self.assertEqual(stats[self.presented], (20.0,))

    def test_conversion_from_stage_to_stage(self):
        stats = self._stats("next_stage_id", ["__count"], self.interested)
        self.assertEqual(stats, {self.presented: (4,), self.quoted: (1,)})
        stats = self._stats(
            "stage_id", ["conversion_rate:avg", "lost_rate:avg"], self.presented
        )
        self.assertEqual(stats[self.presented], (50.0, 50.0))

    def test_counts_per_month(self):
        leads = self.l1 | self.l2 | self.l3 | self.l4 | self.l5
        groups = self.env["crm.stage.analysis"]._read_group(
            [("lead_id", "in", leads.ids)], ["date:month", "stage_id"], ["__count"]
        )
        counts = {(month.month, stage.name): count for month, stage, count in groups}
        self.assertEqual(
            counts,
            {
                (3, "Interested"): 5,
                (3, "Presented"): 4,
                (3, "Quoted"): 1,
                (4, "Quoted"): 1,
            },
        )
