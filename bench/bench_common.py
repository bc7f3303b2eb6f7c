"""What the in-process benchmarks share (``bench_routing.py``, ``bench_import.py``,
``bench_screens.py``, ``bench_handover.py``, ``bench_timers.py``,
``bench_best_fit.py``): their command
line, opening the bench database, the contexts that build data quietly, the SQL
counter, and the reps, teams and queues they build.

Imported by those scripts (their folder is on ``sys.path`` when Python runs them);
Odoo must be importable (``tools/bench*.sh`` put its source on ``PYTHONPATH``)."""

import argparse
import logging
import sys
import time
from contextlib import contextmanager

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

# Building the data: no chatter (not measured; the runs get a clean env).
QUIET_CREATE = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}


def routing_off():
    """The module's context that creates leads without routing them (a Python
    object: imported once the add-ons path is set)."""
    from odoo.addons.sales_team_queue.models.crm_lead import ROUTING_OFF

    return ROUTING_OFF


def queries():
    """Global SQL statement counter of this process (every cursor)."""
    return odoo.sql_db.sql_counter


def measure(env, func):
    """Run ``func()`` on empty caches, up to its last flush (what was pending
    before is flushed first, off the clock).

    :return: (what ``func`` returned, seconds, SQL queries)
    """
    env.flush_all()
    env.invalidate_all()
    q0, t0 = queries(), time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - t0, queries() - q0


def arg_parser(doc, reps):
    """The command line of a benchmark described by the first line of ``doc``:
    Odoo's configuration file (``-c``), the database (``-d``) and how many reps it
    builds (``--reps``, ``reps`` by default)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--reps", type=int, default=reps)
    return parser


def sizes(text):
    """The value of a ``--sizes`` option, "1000,10000", as [1000, 10000]."""
    return [int(size) for size in text.split(",") if size]


def open_registry(config, database):
    """Odoo configured by ``config`` (warnings and errors logged only), and the
    registry of ``database``; exit if sales_team_queue is not installed there."""
    odoo.tools.config.parse_config(["-c", config, "-d", database, "--log-level=warn"])
    odoo.netsvc.init_logger()
    registry = Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        installed = env["ir.module.module"].search_count(
            [("name", "=", "sales_team_queue"), ("state", "=", "installed")]
        )
    if installed != 1:
        sys.exit("sales_team_queue is not installed in this database")
    return registry


def create_reps(env, count, name, login, tag, **values):
    """``count`` salesmen named ``<name> 000``..., logins ``<login>_<tag>_000``...
    (``tag``: the run's), e-mails ``<login>_000@example.com``..."""
    group = env.ref("sales_team.group_sale_salesman")
    return (
        env["res.users"]
        .with_context(no_reset_password=True, mail_create_nosubscribe=True)
        .create(
            [
                {
                    "name": f"{name} {i:03d}",
                    "login": f"{login}_{tag}_{i:03d}",
                    "email": f"{login}_{i:03d}@example.com",
                    "groups_id": [odoo.Command.set(group.ids)],
                    **values,
                }
                for i in range(count)
            ]
        )
    )


def create_queue(env, name, team, users, weights=None, **values):
    """A queue of ``team`` whose members are ``users`` in that order (of
    ``weights`` if given); round robin, alerts off, unless ``values`` say
    otherwise."""
    return env["crm.team.queue"].create(
        {
            "name": name,
            "team_id": team.id,
            "strategy": "round_robin",
            "activity_type_id": False,
            "notify_assignee": False,
            "member_ids": [
                odoo.Command.create(
                    {
                        "user_id": user.id,
                        "sequence": index,
                        "weight": weights[index] if weights else 1,
                    }
                )
                for index, user in enumerate(users)
            ],
            **values,
        }
    )


@contextmanager
def bench_env(args):
    """The superuser environment of a benchmark run on ``args.database``, its
    cursor committed at the end: Odoo's crm logs quiet, reps in several teams at
    once, and the queues of earlier runs archived (they must not take this
    run's leads)."""
    registry = open_registry(args.config, args.database)
    logging.getLogger("odoo.addons.crm").setLevel(logging.WARNING)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["crm.team.queue"].search([]).action_archive()
        env["ir.config_parameter"].set_param("sales_team.membership_multi", True)
        yield env


def print_against(title, rows, target):
    """A Markdown table ``title`` of ``rows`` ({label: (seconds, queries)}): each
    row's time against the first row's (the reference), and ``target``, the
    ratio the others must stay under."""
    print(f"\n## {title}\n")
    print("| case | ms | queries | time vs the first | target |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base = next(iter(rows.values()))[0]
    for index, (label, (elapsed, count)) in enumerate(rows.items()):
        wanted = f"<= {target}x" if index else ""
        print(
            f"| {label} | {elapsed * 1000:.1f} | {count:.1f} "
            f"| {elapsed / base:.2f}x | {wanted} |"
        )
