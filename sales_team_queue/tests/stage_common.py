"""Base class of the stage probability / stage history tests."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

SALESMAN = "sales_team.group_sale_salesman"
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"
MANAGER = "sales_team.group_sale_manager"

T0 = datetime(2025, 3, 3, 8, 0, 0)


class StageCase(TransactionCase):
    """A sales team "Stage Team" (two reps) with its own pipeline: Interested
    10 %, Presented 20 %, Quoted 50 %, Closed Won. No stage is marked default."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mail tracking off: the history must not depend on it (and it is faster).
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["crm.stage"].search([("is_default", "=", True)]).is_default = False
        cls.rep = new_test_user(
            cls.env, login="st_rep", name="Stage Rep", groups=SALESMAN
        )
        cls.rep2 = new_test_user(
            cls.env, login="st_rep2", name="Stage Rep Two", groups=SALESMAN
        )
        cls.manager = new_test_user(
            cls.env, login="st_manager", name="Stage Manager", groups=MANAGER
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Stage Team",
                "use_leads": True,
                "use_opportunities": True,
                "member_ids": [Command.set((cls.rep | cls.rep2).ids)],
            }
        )
        Stage = cls.env["crm.stage"]
        cls.interested, cls.presented, cls.quoted, cls.won = Stage.create(
            [
                {
                    "name": "Interested",
                    "sequence": -40,
                    "probability": 10,
                    "team_id": cls.team.id,
                },
                {
                    "name": "Presented",
                    "sequence": -30,
                    "probability": 20,
                    "team_id": cls.team.id,
                },
                {
                    "name": "Quoted",
                    "sequence": -20,
                    "probability": 50,
                    "team_id": cls.team.id,
                },
                {
                    "name": "Closed Won",
                    "sequence": -10,
                    "is_won": True,
                    "team_id": cls.team.id,
                },
            ]
        )

    def _set_mode(self, mode, team=None):
        (team or self.team).probability_mode = mode

    def _opportunity(self, name="Opportunity", **values):
        return self.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": self.team.id,
                "user_id": self.rep.id,
                "stage_id": self.interested.id,
                **values,
            }
        )

    @contextmanager
    def at(self, when):
        """Run with the transaction's time (``cr.now()``) at ``when``."""
        with patch.object(self.env.cr, "now", lambda: when):
            yield

    @staticmethod
    def hours(n):
        return T0 + timedelta(hours=n)
