import os
import re
import subprocess
import sys
import uuid

import odoo
from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import config

from .common_security import CHANGED_CORE_RULES, odoo_rule_domains

MODULE = "sales_team_queue"
BAD_LOG_LINE = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_is_installed_at_its_version(self):
        module = self.env["ir.module.module"].search([("name", "=", MODULE)])
        self.assertEqual(module.state, "installed")
        manifest = get_manifest(MODULE)
        self.assertEqual(module.latest_version, manifest["version"])
        self.assertTrue(manifest["version"].startswith("18.0."))

    def test_every_test_file_is_imported_by_the_tests_package(self):
        """Odoo's own test runner finds tests through ``tests/__init__.py``
        only: a file left out there would run under pytest and nowhere else."""
        here = os.path.dirname(__file__)
        with open(os.path.join(here, "__init__.py"), encoding="utf-8") as init:
            imported = set(
                re.findall(r"^from \. import (test_\w+)$", init.read(), re.M)
            )
        files = {
            name[:-3]
            for name in os.listdir(here)
            if name.startswith("test_") and name.endswith(".py")
        }
        self.assertEqual(files - imported, set())

    def test_every_model_of_the_module_has_access_rules(self):
        # Abstract models (mixins) have no table: the models that inherit
        # them carry the rules.
        models = (
            self.env["ir.model"]
            .search([])
            .filtered(lambda m: m.modules == MODULE and not self.env[m.model]._abstract)
        )
        for model in models:
            with self.subTest(model=model.model):
                self.assertTrue(model.access_ids, f"{model.model} has no access rule")

    def test_demo_data_gives_staffed_teams(self):
        demo = self.env["ir.module.module"].search([("name", "=", MODULE)]).demo
        if not demo:
            self.skipTest("database installed without demo data")
        for xmlid in (
            "crm_team_inside_sales_demo",
            "crm_team_key_accounts_demo",
            "crm_team_china_demo",
            "crm_team_vietnam_demo",
        ):
            team = self.env.ref(f"{MODULE}.{xmlid}")
            self.assertGreaterEqual(len(team.member_ids), 2, team.name)
            self.assertTrue(team.user_id, f"{team.name} has a team leader")

    def test_demo_story_routes_by_product_and_territory(self):
        if not self.env["ir.module.module"].search([("name", "=", MODULE)]).demo:
            self.skipTest("database installed without demo data")

        def ref(xmlid):
            return self.env.ref(f"{MODULE}.{xmlid}")

        chairs = ref("crm_lead_china_chairs_1_demo") | ref(
            "crm_lead_china_chairs_2_demo"
        )
        self.assertEqual(chairs.queue_id, ref("crm_team_queue_china_chairs_demo"))
        self.assertEqual(chairs.user_id, ref("user_li_demo") | ref("user_chen_demo"))
        south = ref("crm_lead_vietnam_south_1_demo") | ref(
            "crm_lead_vietnam_south_2_demo"
        )
        self.assertEqual(south.queue_id, ref("crm_team_queue_vietnam_south_demo"))
        followed = ref("crm_lead_vietnam_south_1_demo")
        self.assertEqual(followed.sla_state, "met", "its rep followed it up")
        self.assertEqual(set((south - followed).mapped("sla_state")), {"running"})
        anan = ref("user_anan_demo")
        self.assertTrue(anan._handover_pending(), "Anan has a book to hand over")


@tagged("post_install", "-at_install")
class TestLoginPage(HttpCase):
    def test_login_page_is_served(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertIn("oe_login_form", response.text)


@tagged("post_install", "-at_install", "sales_team_queue_lifecycle")
class TestLifecycle(TransactionCase):
    """Install without demo data, upgrade and uninstall in a throw-away database,
    with a real Odoo process, the way an administrator would."""

    def _odoo(self, db, logfile, *args, command=None, stdin=None):
        odoo_src = os.path.dirname(os.path.dirname(odoo.__file__))
        env = dict(os.environ, PYTHONPATH=odoo_src)
        cmd = [sys.executable, os.path.join(odoo_src, "setup", "odoo")]
        cmd += [command] if command else []
        cmd += ["-c", config.rcfile, "-d", db, f"--logfile={logfile}", *args]
        # Odoo appends to its log file: start empty, so only this run is checked.
        open(logfile, "w").close()
        result = subprocess.run(
            cmd, input=stdin, env=env, capture_output=True, text=True, timeout=600
        )
        log = ""
        if os.path.exists(logfile):
            with open(logfile) as f:
                log = f.read()
        self.assertEqual(
            result.returncode, 0, f"{args}: {result.stderr}\n{log[-3000:]}"
        )
        self.assertFalse(BAD_LOG_LINE.findall(log), f"{args} logged:\n{log[-3000:]}")

    def _psql(self, db, query, params=()):
        connection = odoo.sql_db.db_connect(db)
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def _crm_rule_domains(self, db):
        return dict(
            self._psql(
                db,
                """
                SELECT d.module || '.' || d.name, r.domain_force
                  FROM ir_rule r JOIN ir_model_data d
                    ON d.model = 'ir.rule' AND d.res_id = r.id AND d.module = 'crm'
                """,
            )
        )

    def test_install_upgrade_uninstall_leave_no_trace(self):
        db = f"{self.env.cr.dbname}_lifecycle_{uuid.uuid4().hex[:6]}"
        logdir = os.path.join(config["data_dir"], "lifecycle")
        os.makedirs(logdir, exist_ok=True)
        try:
            self._odoo(
                db,
                f"{logdir}/install.log",
                "-i",
                MODULE,
                "--without-demo=all",
                "--stop-after-init",
                "--no-http",
            )
            self._odoo(
                db,
                f"{logdir}/upgrade.log",
                "-u",
                # crm too: its rules the module changes must keep the change.
                f"{MODULE},crm",
                "--stop-after-init",
                "--no-http",
            )
            odoo_domains = odoo_rule_domains(self.env)
            installed_domains = self._crm_rule_domains(db)
            self.assertEqual(
                {x for x, d in odoo_domains.items() if installed_domains[x] != d},
                CHANGED_CORE_RULES,
                "the module changes these core rules, and an upgrade keeps the change",
            )
            # Models the module defines (not the ones it only extends).
            tables = [
                t
                for (t,) in self._psql(
                    db,
                    """
                    SELECT m.model FROM ir_model m JOIN ir_model_data d
                      ON d.model = 'ir.model' AND d.res_id = m.id AND d.module = %s
                     WHERE NOT EXISTS (
                        SELECT 1 FROM ir_model_data o
                         WHERE o.model = 'ir.model' AND o.res_id = m.id
                           AND o.module != %s)
                    """,
                    (MODULE, MODULE),
                )
            ]
            columns = self._psql(
                db,
                """
                SELECT f.model, f.name FROM ir_model_fields f JOIN ir_model_data d
                  ON d.model = 'ir.model.fields' AND d.res_id = f.id AND d.module = %s
                 WHERE f.store AND f.ttype NOT IN ('one2many', 'many2many')
                   -- not Odoo's fields the module only redefines (e.g. a default)
                   AND NOT EXISTS (
                    SELECT 1 FROM ir_model_data o
                     WHERE o.model = 'ir.model.fields' AND o.res_id = f.id
                       AND o.module != %s)
            """,
                (MODULE, MODULE),
            )
            self._odoo(
                db,
                f"{logdir}/uninstall.log",
                "--no-http",
                command="shell",
                stdin=(
                    f"env['ir.module.module'].search([('name', '=', '{MODULE}')])"
                    ".button_immediate_uninstall()\n"
                ),
            )
            state = self._psql(
                db, "SELECT state FROM ir_module_module WHERE name = %s", (MODULE,)
            )
            self.assertEqual(state, [("uninstalled",)])
            self.assertEqual(
                self._crm_rule_domains(db),
                odoo_domains,
                "Odoo's crm record rules have their original domains back",
            )
            leftovers = self._psql(
                db, "SELECT model, name FROM ir_model_data WHERE module = %s", (MODULE,)
            )
            self.assertEqual(leftovers, [], "records of the module left behind")
            for model in tables:
                table = model.replace(".", "_")
                self.assertFalse(
                    self._psql(db, "SELECT to_regclass(%s)", (table,))[0][0],
                    f"table {table} left behind",
                )
                self.assertFalse(
                    self._psql(db, "SELECT 1 FROM ir_model WHERE model = %s", (model,)),
                    f"model {model} left behind",
                )
            for model, name in columns:
                if model in tables:
                    continue
                self.assertFalse(
                    self._psql(
                        db,
                        """
                    SELECT 1 FROM information_schema.columns
                     WHERE table_name = %s AND column_name = %s
                """,
                        (model.replace(".", "_"), name),
                    ),
                    f"column {model}.{name} left behind",
                )
        finally:
            odoo.sql_db.close_db(db)
            subprocess.run(
                ["dropdb", "--if-exists", *self._dropdb_args(), db],
                check=False,
                capture_output=True,
                env=dict(os.environ, PGPASSWORD=config["db_password"] or ""),
            )

    def _dropdb_args(self):
        args = []
        if config["db_host"]:
            args += ["-h", config["db_host"]]
        if config["db_port"]:
            args += ["-p", str(config["db_port"])]
        if config["db_user"]:
            args += ["-U", config["db_user"]]
        return args


@tagged("post_install", "-at_install")
class TestTeamSettingsTour(HttpCase):
    def test_manager_sets_team_visibility_in_the_team_form(self):
        team = self.env["crm.team"].create(
            {"name": "Tour Settings Team", "sequence": 0}
        )
        self.assertEqual(team.lead_visibility, "own")
        self.assertFalse(team.restrict_pool)
        self.start_tour("/odoo", "sales_team_queue_team_settings", login="admin")
        self.assertEqual(team.lead_visibility, "team")
        self.assertTrue(team.restrict_pool)
