"""The permission matrix of team visibility, shared by the ORM and XML-RPC tests.

Two teams of company 1, *Alpha* and *Bravo*, and one lead of each kind. Each
visibility setting (``lead_visibility`` x ``restrict_pool``, applied to both teams)
has one expected table: for each user, the leads they may find, read and edit, and
whose activities, assignment ledger lines, stage history and stage analysis rows
they see. ``_check_matrix`` walks it all.
"""

from lxml import etree

from odoo.tests import new_test_user
from odoo.tools import SQL
from odoo.tools.misc import file_path

from odoo.addons.sales_team_queue.models.values import Decision

LEADS = ("own", "mate", "other_team", "pool", "other_pool", "no_team")
ALL = frozenset(LEADS)
NONE = frozenset()
# What each user is checked for, on each lead: find it (search), read it, edit it,
# and see the records that point at it: its activities in the activity report, its
# assignment ledger lines, its stage history and its stage analysis rows.
OPERATIONS = (
    "search",
    "read",
    "write",
    "report",
    "ledger",
    "history",
    "analysis",
    "assignment_report",
)
# The models of the records that point at a lead (by lead_id), per operation.
LEAD_REPORTS = {
    "report": "crm.activity.report",
    "ledger": "crm.lead.assignment",
    "history": "crm.lead.stage.history",
    "analysis": "crm.stage.analysis",
    "assignment_report": "crm.lead.assignment.report",
}

# Users of the matrix, with what they are:
#   rep       own documents, member of Alpha (owner of lead "own")
#   rep_two   own documents, member of Alpha and Bravo
#   leader    own documents, leader of Alpha (not a member)
#   all_docs  "All Documents", no team
#   manager   Sales Administrator, no team
#   other_co  Sales Administrator of company 2 only
# Leads (all of company 1):
#   own         rep's, in Alpha           mate        a teammate's, in Alpha
#   other_team  Bravo's rep's, in Bravo   pool        nobody's, in Alpha
#   other_pool  nobody's, in Bravo        no_team     nobody's, no team (everybody's)
EVERYBODY_SEES_ALL = {"all_docs": ALL, "manager": ALL, "other_co": NONE}
EXPECTED = {
    # Odoo's own behaviour: own leads and every unassigned lead, plus the leader rule.
    ("own", False): {
        "rep": {"own", "pool", "other_pool", "no_team"},
        "rep_two": {"pool", "other_pool", "no_team"},
        "leader": {"own", "mate", "pool", "other_pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
    ("own", True): {
        "rep": {"own", "pool", "no_team"},
        "rep_two": {"pool", "other_pool", "no_team"},
        "leader": {"own", "mate", "pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
    ("team", False): {
        "rep": {"own", "mate", "pool", "other_pool", "no_team"},
        "rep_two": ALL,
        "leader": {"own", "mate", "pool", "other_pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
    ("team", True): {
        "rep": {"own", "mate", "pool", "no_team"},
        "rep_two": ALL,
        "leader": {"own", "mate", "pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
}

# The same with Alpha's pool lead waiting in a queue that hides contact details (a
# private pool, crm.team.queue pool_hide_contact): no rep reads it any more, its
# team leader, "All Documents" and managers still do (and everything around it
# follows: activities, ledger, history, analysis).
EXPECTED_PRIVATE_POOL = {
    ("own", False): {
        "rep": {"own", "other_pool", "no_team"},
        "rep_two": {"other_pool", "no_team"},
        "leader": {"own", "mate", "pool", "other_pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
    ("team", True): {
        "rep": {"own", "mate", "no_team"},
        "rep_two": ALL - {"pool"},
        "leader": {"own", "mate", "pool", "no_team"},
        **EVERYBODY_SEES_ALL,
    },
}

# A pool lead is its queue's until claimed (models/crm_lead_perimeter.py): of the
# users who read the private pool lead, only its team leader and managers change
# it ("All Documents" reads it, and is refused a write).
POOL_LEAD_WRITERS = frozenset({"leader", "manager"})

# Odoo's rules the module changes while it is installed (and only these).
CHANGED_CORE_RULES = frozenset(
    {
        "crm.crm_rule_personal_lead",
        "crm.crm_activity_report_rule_personal_activities",
    }
)

SALESMAN = "sales_team.group_sale_salesman"
ALL_DOCS = "sales_team.group_sale_salesman_all_leads"
MANAGER = "sales_team.group_sale_manager"


def odoo_rule_domains(env):
    """``{xml id: domain}`` of crm's record rules as Odoo's source defines them."""
    with open(file_path("crm/security/crm_security.xml"), "rb") as f:
        tree = etree.parse(f)
    domains = {}
    for record in tree.iterfind(".//record[@model='ir.rule']"):
        domain = record.find("field[@name='domain_force']")
        domains[f"crm.{record.get('id')}"] = domain.text
    return domains


class TeamVisibilityMatrix:
    """Mixin of a test case: the users, teams and leads of the matrix (built once)
    and the helper that walks it. ``_probe(user)`` returns, for one user, the keys
    of the leads each operation of ``OPERATIONS`` succeeds on."""

    @classmethod
    def _setup_matrix(cls):
        env = cls.env
        env["ir.config_parameter"].sudo().set_param("sales_team.membership_multi", True)
        cls.company_2 = env["res.company"].create({"name": "Other Company"})
        company_1 = env.company
        users = {}
        for login, groups, extra in (
            ("rep", SALESMAN, {}),
            ("mate", SALESMAN, {}),
            ("rep_two", SALESMAN, {}),
            ("rep_b", SALESMAN, {}),
            ("leader", SALESMAN, {}),
            ("all_docs", ALL_DOCS, {}),
            ("manager", MANAGER, {}),
            (
                "other_co",
                MANAGER,
                {
                    "company_id": cls.company_2.id,
                    "company_ids": [(6, 0, cls.company_2.ids)],
                },
            ),
        ):
            values = {
                "company_id": company_1.id,
                "company_ids": [(6, 0, company_1.ids)],
            }
            values.update(extra)
            users[login] = new_test_user(
                env,
                login=f"stq_{login}",
                password=f"stq_{login}_pw",
                groups=f"base.group_user,{groups}",
                name=f"Matrix {login}",
                **values,
            )
        cls.users = users
        Team = env["crm.team"].with_context(mail_create_nosubscribe=True)
        cls.team_a = Team.create(
            {
                "name": "Alpha",
                "company_id": company_1.id,
                "user_id": users["leader"].id,
                "member_ids": [(6, 0, (users["rep"] | users["mate"]).ids)],
            }
        )
        cls.team_b = Team.create(
            {
                "name": "Bravo",
                "company_id": company_1.id,
                "member_ids": [(6, 0, users["rep_b"].ids)],
            }
        )
        # Added afterwards: a member of two teams (membership_multi).
        env["crm.team.member"].create(
            [
                {"crm_team_id": team.id, "user_id": users["rep_two"].id}
                for team in cls.team_a | cls.team_b
            ]
        )
        lead_values = {
            "own": (users["rep"], cls.team_a),
            "mate": (users["mate"], cls.team_a),
            "other_team": (users["rep_b"], cls.team_b),
            "pool": (env["res.users"], cls.team_a),
            "other_pool": (env["res.users"], cls.team_b),
            "no_team": (env["res.users"], env["crm.team"]),
        }
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Matrix lead {key}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": team.id,
                    "company_id": company_1.id,
                }
                for key, (user, team) in lead_values.items()
            ]
        )
        cls.leads = dict(zip(lead_values, leads, strict=True))
        cls.lead_key = {lead.id: key for key, lead in cls.leads.items()}
        # One done activity per lead: a row of crm.activity.report each.
        call = env.ref("mail.mail_activity_data_call")
        env["mail.message"].create(
            [
                {
                    "model": "crm.lead",
                    "res_id": lead.id,
                    "message_type": "notification",
                    "subtype_id": env.ref("mail.mt_activities").id,
                    "mail_activity_type_id": call.id,
                    "body": f"Called about {lead.name}",
                }
                for lead in leads
            ]
        )
        # One assignment ledger line per lead, written by the assignment
        # primitive (the only writer of the ledger).
        env["crm.lead"]._queue_record_given(
            [
                Decision(lead, lead.user_id, lead.queue_id, method="manual")
                for lead in leads
            ]
        )

    def _set_visibility(self, lead_visibility, restrict_pool, teams=None):
        (teams or self.team_a | self.team_b).write(
            {"lead_visibility": lead_visibility, "restrict_pool": restrict_pool}
        )

    def _make_private_pool(self):
        """Put Alpha's pool lead in the pool of a queue of Alpha that hides
        contact details. The queue has no member, so that routing gives the
        lead to nobody; the lead's queue is set in SQL, as routing would."""
        queue = self.env["crm.team.queue"].create(
            {
                "name": "Matrix private pool",
                "team_id": self.team_a.id,
                "strategy": "pool",
                "pool_hide_contact": True,
                "activity_type_id": False,
                "notify_assignee": False,
            }
        )
        lead = self.leads["pool"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead SET queue_id = %s, queue_state = 'pool',
                          pool_date = NOW() AT TIME ZONE 'UTC'
                    WHERE id = %s AND user_id IS NULL""",
                queue.id,
                lead.id,
            )
        )
        self.env.invalidate_all()
        self.assertTrue(lead.pool_private)
        return queue

    def _keys(self, ids):
        return {self.lead_key[i] for i in ids if i in self.lead_key}

    def _check_matrix(self, lead_visibility, restrict_pool, private_pool=False):
        """Walk the whole matrix of one setting: every user, every operation
        (``private_pool``: with Alpha's pool lead in a private pool)."""
        self._set_visibility(lead_visibility, restrict_pool)
        table = EXPECTED
        if private_pool:
            self._make_private_pool()
            table = EXPECTED_PRIVATE_POOL
        for login, expected in table[lead_visibility, restrict_pool].items():
            expected = {operation: set(expected) for operation in OPERATIONS}
            if private_pool and login not in POOL_LEAD_WRITERS:
                expected["write"].discard("pool")
            with self.subTest(user=login):
                self.assertEqual(
                    self._probe(self.users[login]),
                    expected,
                    f"{login} with {lead_visibility} visibility, "
                    f"restrict_pool={restrict_pool}, private_pool={private_pool}",
                )
