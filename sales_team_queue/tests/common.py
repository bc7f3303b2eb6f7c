"""Base classes of the tests: the queue engine's (``QueueCase``, also used by
other features' tests), the browser tours' (``TourCase``) and the tests on real
cursors that commit (``CommittedCase``, ``CommittedQueueCase``)."""

import threading
from contextlib import contextmanager

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.models import BaseModel
from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.mail.tests.common import MailCase

# The users of these tests work with leads (CRM's Leads setting, per user):
# leads stay leads when they are given to them (test_native_answers.py tests
# the setting off).
SALESMAN = "sales_team.group_sale_salesman,crm.group_use_lead"
MANAGER = "sales_team.group_sale_manager,crm.group_use_lead"
# A salesperson without CRM's Leads setting (the tours', the workers').
REP = "sales_team.group_sale_salesman"


class QueueCase(TransactionCase, MailCase):
    """A team "Queue Team" (leader Niran) with three reps (Somchai, Wei, Linh) and
    a fourth rep (Mai) in a second team; other queues of the database (demo) are
    archived so that only the queues a test creates route leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls.env["crm.team.queue"].search([]).action_archive()
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.env = cls.env(user=cls.user_admin)
        cls.env.user.tz = "Asia/Bangkok"

        def rep(login, name, **kw):
            return new_test_user(
                cls.env,
                login=login,
                name=name,
                groups=SALESMAN,
                email=f"{login}@example.com",
                notification_type=kw.pop("notification_type", "inbox"),
                tz=kw.pop("tz", "Asia/Bangkok"),
                **kw,
            )

        cls.somchai = rep("q_somchai", "Somchai")
        cls.wei = rep("q_wei", "Wei")
        cls.linh = rep("q_linh", "Linh", notification_type="email")
        cls.mai = rep("q_mai", "Mai")
        cls.niran = new_test_user(
            cls.env,
            login="q_niran",
            name="Niran",
            groups=MANAGER,
            email="q_niran@example.com",
            notification_type="inbox",
            tz="Asia/Bangkok",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Queue Team",
                "sequence": -100,
                "user_id": cls.niran.id,
                "alias_name": "queue.team",
                "use_leads": True,
                "use_opportunities": True,
                "member_ids": [Command.set((cls.somchai | cls.wei | cls.linh).ids)],
            }
        )
        cls.team_2 = cls.env["crm.team"].create(
            {
                "name": "Second Team",
                "sequence": -90,
                "use_leads": True,
                "use_opportunities": True,
                "member_ids": [Command.set(cls.mai.ids)],
            }
        )
        cls.reps = cls.somchai | cls.wei | cls.linh

    @classmethod
    def _make_leader(cls, login):
        """Lek, a salesperson (not a sales manager) who leads Queue Team."""
        cls.leader = new_test_user(
            cls.env,
            login=login,
            name="Lek",
            groups=SALESMAN,
            notification_type="inbox",
        )
        cls.team.user_id = cls.leader
        return cls.leader

    @classmethod
    def _create_queue(cls, users=None, team=None, members=None, **vals):
        """A queue of ``team`` (Queue Team) whose members are ``users`` in that
        order (Somchai, Wei, Linh by default) or ``members`` (list of dicts)."""
        team = team or cls.team
        if members is None:
            users = cls.reps if users is None else users
            members = [{"user_id": user.id} for user in users]
        for sequence, member in enumerate(members, start=1):
            member.setdefault("sequence", sequence)
        values = {
            "name": "Queue",
            "team_id": team.id,
            "strategy": "round_robin",
            "activity_type_id": False,
            "notify_assignee": False,
            "member_ids": [Command.create(member) for member in members],
        }
        values.update(vals)
        return cls.env["crm.team.queue"].create(values)

    def _new_leads(self, count=1, **vals):
        """Create ``count`` leads without salesperson (routed at creation)."""
        values = {"team_id": self.team.id, "user_id": False, "type": "lead"}
        values.update(vals)
        return self.env["crm.lead"].create(
            [dict(values, name=f"Lead {index}") for index in range(count)]
        )

    @staticmethod
    def _owners(leads):
        """Names of the salespeople of ``leads``, in order (with repeats)."""
        return [lead.user_id.name for lead in leads]

    @staticmethod
    def _last_line(lead):
        """The newest ledger line of ``lead``."""
        return lead.assignment_ids.sorted("id")[-1:]

    def _queries(self, func):
        """The SQL queries of ``func()`` on empty caches, up to its last flush
        (what was pending before is flushed first, not counted)."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _assert_last_line(self, lead, method, previous_user, reason):
        """The newest ledger line of ``lead`` says how (``method``), from whom
        (``previous_user``) and why (``reason``)."""
        line = self._last_line(lead)
        self.assertEqual(
            (line.method, line.previous_user_id, line.reason),
            (method, previous_user, reason),
        )

    def _member(self, queue, user):
        return queue.member_ids.filtered(lambda m: m.user_id == user)

    def _other_company_manager(self, login, company_name):
        """A sales manager who works only in a new company ``company_name``."""
        company = self.env["res.company"].create({"name": company_name})
        return new_test_user(
            self.env,
            login=login,
            groups="sales_team.group_sale_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _messages_to(self, user, subject, operator="ilike"):
        """The messages sent to ``user`` whose subject matches ``subject``."""
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("partner_ids", "in", user.partner_id.ids),
                    ("subject", operator, subject),
                ]
            )
        )

    def _run_timers(self, when):
        """The timers' scheduled action (SLA, dispatch, relax, offers) at ``when``."""
        with freeze_time(when):
            return self.env["crm.lead"]._cron_lead_timers()


class TourCase(HttpCase):
    """Base of the tours in a real browser: helpers that make the tour's users,
    team and queue (the names the tour's JavaScript looks for)."""

    @classmethod
    def _archive_demo_queues(cls):
        """Archive the queues of the database (demo): they would take the
        tour's leads."""
        cls.env["crm.team.queue"].search([]).action_archive()

    @classmethod
    def _archive_demo_routing(cls):
        """Archive the queues of the database (demo), and the leads waiting
        without salesperson: they would take, or show in Test Routing next
        to, the tour's leads."""
        cls._archive_demo_queues()
        cls.env["crm.lead"].search([("user_id", "=", False)]).write({"active": False})

    @classmethod
    def _tour_user(cls, login, name, groups=REP, **values):
        """A user who logs in to the tour as ``login`` (password ``login``),
        notified in Odoo's inbox, in UTC unless ``values`` say otherwise."""
        values = {"notification_type": "inbox", "tz": "UTC", **values}
        return new_test_user(cls.env, login=login, name=name, groups=groups, **values)

    @classmethod
    def _tour_users(cls, *logins_names, **kwargs):
        """:meth:`_tour_user` for each ``(login, name)``, in order."""
        return [cls._tour_user(login, name, **kwargs) for login, name in logins_names]

    @classmethod
    def _tour_team(cls, name, members, leader=None, **values):
        """Team ``name``, first of the lists (sequence -1000), of ``members``
        (users), led by ``leader``."""
        values = {
            "name": name,
            "sequence": -1000,
            "member_ids": [Command.set(members.ids)],
            **values,
        }
        if leader:
            values["user_id"] = leader.id
        return cls.env["crm.team"].create(values)

    @classmethod
    def _tour_led_team(cls, login, name):
        """A team leader's cast: users ``<login>_leader`` ("<name> Leader") and
        ``<login>_rep`` ("<name> Rep"), and team "<name> Team" of the rep, led
        by the leader.

        :return: (leader, rep, team)
        """
        leader, rep = cls._tour_users(
            (f"{login}_leader", f"{name} Leader"), (f"{login}_rep", f"{name} Rep")
        )
        return leader, rep, cls._tour_team(f"{name} Team", rep, leader=leader)

    @classmethod
    def _tour_offers(cls, login, name, lead_names, **queue_values):
        """Reps ``<login>_rep`` (``cls.rep``) and ``<login>_rep2``, their team
        ``<name> Team`` and its queue ``<name> Queue`` that offers its leads
        (10 minutes), and two opportunities ``lead_names`` offered to the
        first rep (``cls.to_accept``, ``cls.to_decline``): the second rep is
        paused while they come in, available again after."""
        cls._archive_demo_queues()
        cls.rep, cls.rep2 = cls._tour_users(
            (f"{login}_rep", f"{name} Rep"), (f"{login}_rep2", f"{name} Second Rep")
        )
        cls.team = cls._tour_team(f"{name} Team", cls.rep | cls.rep2)
        cls.queue = cls._tour_queue(
            f"{name} Queue",
            cls.team,
            [{"user_id": cls.rep.id}, {"user_id": cls.rep2.id, "active": False}],
            offer_minutes=10,
            **queue_values,
        )
        cls.to_accept, cls.to_decline = cls.env["crm.lead"].create(
            [
                {
                    "name": lead_name,
                    "type": "opportunity",
                    "team_id": cls.team.id,
                    "user_id": False,
                }
                for lead_name in lead_names
            ]
        )
        cls.queue.with_context(active_test=False).member_ids.write({"active": True})

    @classmethod
    def _tour_queue(cls, name, team, members, quiet=True, **values):
        """A queue of ``team`` (round robin unless ``values`` say otherwise)
        whose members are ``members``, in that order: users, or a list of
        member values.

        :param bool quiet: the queue sends no notification and plans no
            activity (False: the company's defaults)
        """
        if isinstance(members, BaseModel):
            members = [{"user_id": user.id} for user in members]
        values = {
            "name": name,
            "team_id": team.id,
            "strategy": "round_robin",
            "member_ids": [
                Command.create({"sequence": sequence, **member})
                for sequence, member in enumerate(members, start=1)
            ],
            **values,
        }
        if quiet:
            values.update(notify_assignee=False, activity_type_id=False)
        return cls.env["crm.team.queue"].create(values)


class PhoneTourCase(TourCase):
    """A tour on a phone-sized screen, with touch."""

    browser_size = "390x844"
    touch_enabled = True


class CommittedCase(TransactionCase):
    """Tests on real database cursors that commit, as several workers at once.

    The data every cursor must see is committed in a transaction of its own
    (:meth:`_worker_env`). After each test, the teams and users made by
    :meth:`_commit_teams` and :meth:`_commit_users` are removed with the leads,
    queues, targets and stages of those teams, and the queues archived by
    :meth:`_archive_queues` are restored."""

    def setUp(self):
        super().setUp()
        self.admin_id = self.env.ref("base.user_admin").id
        self.team_ids, self.user_ids, self.archived_queue_ids = [], [], []
        self.addCleanup(self._remove_committed)

    @contextmanager
    def _worker_env(self, uid=None, context=None):
        """An environment (admin's by default) on a cursor of its own,
        committed at the end of the block."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid or self.admin_id, context or {})

    def _open_worker_env(self, uid=None, context=None):
        """An environment on a cursor of its own (another worker), that the
        test commits or rolls back; closed after the test."""
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, uid or self.admin_id, context or {})

    @staticmethod
    def _start_thread(work, *args):
        """Run ``work(*args)`` in a thread (another worker); return the thread."""
        thread = threading.Thread(target=work, args=args)
        thread.start()
        return thread

    def _archive_queues(self, env):
        """Archive every queue (demo ones too): only the test's queues route."""
        queues = env["crm.team.queue"].search([])
        self.archived_queue_ids += queues.ids
        queues.action_archive()

    def _commit_users(self, env, login_prefix, names, **values):
        """Salespeople named ``names``, logins ``<login_prefix><name>``
        (lower case), removed after the test."""
        users = env["res.users"]
        for name in names:
            users |= new_test_user(
                env,
                login=f"{login_prefix}{name.lower()}",
                name=name,
                groups=REP,
                **values,
            )
        self.user_ids += users.ids
        return users

    def _commit_teams(self, env, vals_list):
        """Teams of ``vals_list``, removed after the test with their leads,
        targets, queues and stages."""
        teams = env["crm.team"].create(vals_list)
        self.team_ids += teams.ids
        return teams

    @staticmethod
    def _quiet_queue(env, name, team_id, members, **values):
        """Queue ``name`` of team ``team_id`` (round robin unless ``values`` say
        otherwise) that sends no notification and plans no activity, removed
        after the test with its team.

        :param members: users, or a list of member values, in order
        """
        if isinstance(members, BaseModel):
            members = [{"user_id": user_id} for user_id in members.ids]
        return env["crm.team.queue"].create(
            {
                "name": name,
                "team_id": team_id,
                "strategy": "round_robin",
                "notify_assignee": False,
                "activity_type_id": False,
                "member_ids": [Command.create(member) for member in members],
                **values,
            }
        )

    def _remove_committed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            of_teams = [("team_id", "in", self.team_ids)]
            for model in (
                "crm.lead",
                "crm.sales.target",
                "crm.team.queue",
                "crm.stage",
            ):
                env[model].search(of_teams).unlink()
            env["crm.team"].browse(self.team_ids).exists().unlink()
            env["res.users"].browse(self.user_ids).exists().unlink()
            env["crm.team.queue"].browse(self.archived_queue_ids).action_unarchive()


class CommittedQueueCase(CommittedCase):
    """A team "Concurrency Team" with three reps (Anan, Bao, Chai), committed
    (see :class:`CommittedCase`), its queue made by :meth:`_make_queue`;
    other queues archived."""

    def setUp(self):
        super().setUp()
        with self._worker_env() as env:
            self._archive_queues(env)
            users = self._commit_users(env, "q_conc_", ("Anan", "Bao", "Chai"))
            team = self._commit_teams(
                env,
                {
                    "name": "Concurrency Team",
                    "sequence": -200,
                    "member_ids": [Command.set(users.ids)],
                },
            )
            self.team_id = team.id
        self.queue_id = False

    def _make_queue(self, strategy="round_robin", members=None, **values):
        """Commit a queue of the team; ``members``: list of dicts (one per user,
        Anan, Bao, Chai) of member values; ``values``: the queue's."""
        members = members or [{} for _user in self.user_ids]
        members = [
            dict(vals, user_id=user_id, sequence=seq)
            for seq, (user_id, vals) in enumerate(
                zip(self.user_ids, members, strict=True)
            )
        ]
        with self._worker_env() as env:
            queue = self._quiet_queue(
                env,
                "Concurrency Queue",
                self.team_id,
                members,
                strategy=strategy,
                **values,
            )
            self.queue_id = queue.id

    def _create_lead(self, cr, name):
        env = api.Environment(cr, self.admin_id, {})
        return env["crm.lead"].create(
            {"name": name, "team_id": self.team_id, "user_id": False}
        )

    def _leads_outcome(self, lead_ids):
        """(owner id, queue state, [(method, user id)] of the ledger) per lead,
        read in a fresh transaction."""
        with self._worker_env() as env:
            leads = env["crm.lead"].browse(lead_ids)
            return [
                (
                    lead.user_id.id,
                    lead.queue_state,
                    [(line.method, line.user_id.id) for line in lead.assignment_ids],
                )
                for lead in leads
            ]
