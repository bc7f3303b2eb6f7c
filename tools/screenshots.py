"""make screenshots: the pictures of the README and of the Odoo Apps page, taken from
the demo database in a headless Chromium (no screenshot is drawn by hand).

Drives Chromium over the DevTools protocol against a running Odoo (tools/screenshots.sh
starts one on the demo database): logs in as the demo user of each screen, opens the
screen, waits until it shows what it must show, and saves
``sales_team_queue/static/description/<name>.png``. A screen that does not show what
it must (a missing record, a view that fails) stops the run with the reason, so a
stale picture is never kept silently.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "sales_team_queue", "static", "description")


class Browser:
    """A headless Chromium page driven over the DevTools protocol."""

    def __init__(self, chromium, port, width, height):
        self.profile = tempfile.mkdtemp(prefix="stq-shots-")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as r:
                    targets = json.load(r)
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                if time.time() > deadline:
                    raise RuntimeError("Chromium did not start") from None
                time.sleep(0.3)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.seq = 0
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.seq:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if result.get("exceptionDetails"):
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details["text"]
            raise RuntimeError(f"JavaScript failed: {text}")
        return result["result"].get("value")

    def wait(self, selector, timeout=30, text=None):
        """Wait until ``selector`` is in the page (and holds ``text``)."""
        check = f"document.querySelector({json.dumps(selector)})"
        if text:
            check = (
                f"[...document.querySelectorAll({json.dumps(selector)})]"
                f".some(e => e.textContent.includes({json.dumps(text)}))"
            )
        deadline = time.time() + timeout
        while not self.js(f"!!({check})"):
            if time.time() > deadline:
                raise RuntimeError(
                    f"{selector!r}{f' with {text!r}' if text else ''} did not show "
                    f"on {self.js('location.href')}"
                )
            time.sleep(0.25)

    def goto(self, url, ready=".o_action_manager .o_view_controller"):
        self.send("Page.navigate", url=url)
        time.sleep(0.5)
        self.wait(ready, timeout=60)
        self.settle()

    def settle(self):
        """Let the web client finish its rendering (no pending RPC, fonts)."""
        time.sleep(0.8)
        self.js("document.fonts.ready.then(() => true)")
        time.sleep(0.4)

    def click(self, selector, text=None):
        self.wait(selector, text=text)
        self.js(
            f"""(() => {{
                const all = [...document.querySelectorAll({json.dumps(selector)})];
                const el = all.find(e => !{json.dumps(text)}
                    || e.textContent.includes({json.dumps(text)}));
                el.scrollIntoView({{block: "center"}});
                el.click();
                return true;
            }})()"""
        )

    def login(self, base, db, login, password):
        self.send("Network.enable")
        self.send("Network.clearBrowserCookies")
        self.send("Page.navigate", url=f"{base}/web/login?db={db}")
        self.wait("form.oe_login_form input[name=login]")
        self.js(
            f"""(() => {{
                const form = document.querySelector("form.oe_login_form");
                const field = name => form.querySelector(`input[name=${{name}}]`);
                field("login").value = {json.dumps(login)};
                field("password").value = {json.dumps(password)};
                form.submit();
                return true;
            }})()"""
        )
        self.wait(".o_web_client .o_main_navbar", timeout=60)

    def do_action(self, action, context=None):
        """Run a window action (an xml id) in the web client, as a menu or a
        button would."""
        self.js(
            f"""odoo.__WOWL_DEBUG__.root.env.services.action.doAction(
                {json.dumps(action)},
                {{additionalContext: {json.dumps(context or {})}}}
            ).then(() => true)"""
        )

    def rpc(self, model, method, args, kwargs=None):
        """A call as the logged-in user (to find the demo records by name)."""
        return self.js(
            f"""fetch("/web/dataset/call_kw", {{
                method: "POST",
                headers: {{"Content-Type": "application/json"}},
                body: JSON.stringify({{jsonrpc: "2.0", method: "call", params: {{
                    model: {json.dumps(model)}, method: {json.dumps(method)},
                    args: {json.dumps(args)}, kwargs: {json.dumps(kwargs or {})}
                }}}})
            }}).then(r => r.json()).then(r => {{
                if (r.error) throw new Error(JSON.stringify(r.error.data.message));
                return r.result;
            }})"""
        )

    def uid(self):
        return self.js(
            "fetch('/web/session/get_session_info', {method: 'POST', headers: "
            "{'Content-Type': 'application/json'}, body: JSON.stringify({jsonrpc: "
            "'2.0', method: 'call', params: {}})}).then(r => r.json())"
            ".then(r => r.result.uid)"
        )

    def emulate(self, width=None, height=None):
        """Show the pages on a phone-sized touch screen (``width`` x ``height``
        CSS pixels), or back on the window's own size (no argument)."""
        if width is None:
            self.send("Emulation.clearDeviceMetricsOverride")
            self.send("Emulation.setTouchEmulationEnabled", enabled=False)
            return
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=True,
        )
        self.send("Emulation.setTouchEmulationEnabled", enabled=True)

    def shot(self, name):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path = os.path.join(OUT, f"{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print(f"    {name}.png")


def first_id(browser, model, domain, what):
    ids = browser.rpc(model, "search", [domain], {"limit": 1})
    if not ids:
        raise RuntimeError(f"The demo has no {what} ({model} {domain})")
    return ids[0]


def take_all(browser, base, db, only):
    """The screens of the README, each as the user who works in it."""
    shots = SHOTS if not only else [s for s in SHOTS if s[0] in only]
    for name, login, take, *size in shots:
        browser.login(base, db, login, login)  # demo passwords are the logins
        if size:
            browser.emulate(*size[0])
        try:
            take(browser, base)
            browser.shot(name)
        finally:
            if size:
                browser.emulate()


# --- the screens -----------------------------------------------------------------
# (name, login, function that opens the screen and waits for what it must show)


def _crm_action(browser, base, action):
    """Open ``action`` from the CRM app, as its menu does."""
    browser.goto(f"{base}/odoo/crm")
    browser.do_action(action)
    time.sleep(0.5)


def shot_queue_dashboard(browser, base):
    _crm_action(
        browser, base, "sales_team_queue.crm_team_queue_action_server_dashboard"
    )
    browser.wait(".o_kanban_record", text="Social Media Pool")
    browser.settle()


def shot_queue_form(browser, base):
    queue = first_id(
        browser, "crm.team.queue", [("name", "=", "Social Media Pool")], "pool queue"
    )
    browser.goto(f"{base}/odoo/action-sales_team_queue.crm_team_queue_action/{queue}")
    browser.wait(".o_form_view .o_notebook")


def shot_pool_refused(browser, base):
    browser.goto(f"{base}/odoo/action-sales_team_queue.crm_lead_action_pool")
    browser.wait(".o_kanban_record .o_pool_claim_blocked")
    # a lead this rep may not claim now: the card says why, and so does the click
    browser.click(".o_kanban_record .o_pool_claim_blocked")
    browser.wait(".modal .modal-body")
    browser.settle()


def _lead_tab(domain, what, tab):
    """The screen of the form of a lead of ``domain`` (``what`` it is, said when
    there is none), open on its notebook's ``tab``."""

    def shot(browser, base):
        lead = first_id(browser, "crm.lead", domain, what)
        browser.goto(f"{base}/odoo/crm/{lead}")
        browser.click(".o_notebook .nav-link", text=tab)
        browser.settle()

    return shot


def shot_pool_phone(browser, base):
    browser.goto(f"{base}/odoo/action-sales_team_queue.crm_lead_action_pool")
    browser.wait(".o_kanban_record .o_pool_waiting")
    browser.settle()


def shot_lead_chatter(browser, base):
    lead = first_id(
        browser,
        "crm.lead",
        [("message_ids.tracking_value_ids.field_id.name", "=", "user_id")],
        "lead whose salesperson changed after its creation",
    )
    browser.goto(f"{base}/odoo/crm/{lead}")
    browser.wait(".o-mail-Message .o-mail-Message-tracking")
    browser.js(
        "document.querySelector('.o-mail-Message:has(.o-mail-Message-tracking)')"
        ".scrollIntoView({block: 'center'}) || true"
    )
    browser.settle()


shot_lead_assignments = _lead_tab(
    [("assignment_ids.previous_user_id", "!=", False)],
    "lead that changed hands",
    "Assignments",
)
shot_lead_stage_history = _lead_tab(
    [("stage_history_ids.previous_stage_id", "!=", False)],
    "lead that changed stage",
    "Stage History",
)


def shot_assign_wizard(browser, base):
    leads = browser.rpc(
        "crm.lead",
        "search",
        [[("user_id", "!=", False), ("team_id.user_id", "=", browser.uid())]],
        {"limit": 3},
    )
    if not leads:
        raise RuntimeError("The demo has no lead of the leader's team")
    browser.goto(f"{base}/odoo/crm")
    browser.do_action(
        "sales_team_queue.crm_lead_assign_action",
        {"active_model": "crm.lead", "active_ids": leads, "active_id": leads[0]},
    )
    browser.wait(".modal .o_form_view")
    browser.settle()


def shot_handover_wizard(browser, base):
    user = first_id(
        browser, "res.users", [("login", "=", DEPARTED)], f"departing rep {DEPARTED}"
    )
    browser.goto(f"{base}/odoo/crm")
    browser.do_action(
        "sales_team_queue.crm_salesperson_handover_action",
        {"default_user_id": user, "default_mode": "queues"},
    )
    browser.click(".modal button[name=action_preview]")
    browser.wait(".modal .o_field_one2many .o_data_row")
    browser.settle()


def shot_leaderboard(browser, base):
    _crm_action(
        browser, base, "sales_team_queue.crm_sales_target_action_server_leaderboard"
    )
    browser.wait(".o_kanban_record:not(.o_kanban_ghost) .o_progressbar")
    browser.settle()


def shot_leaderboard_rep(browser, base):
    _crm_action(
        browser, base, "sales_team_queue.crm_sales_target_action_server_leaderboard"
    )
    browser.wait(".o_kanban_record:not(.o_kanban_ghost) .o_progressbar")
    browser.settle()


def shot_queue_fairness(browser, base):
    browser.goto(f"{base}/odoo/action-sales_team_queue.crm_team_queue_fairness_action")
    browser.wait(".o_pivot_view .o_pivot_cell_value, .o_pivot .o_pivot_cell_value")
    browser.settle()


def shot_assignment_analysis(browser, base):
    browser.goto(
        f"{base}/odoo/action-sales_team_queue.crm_lead_assignment_report_action"
    )


def shot_stage_analysis(browser, base):
    browser.goto(f"{base}/odoo/action-sales_team_queue.crm_stage_analysis_action")


# The demo's rep who leaves (handed over in the screenshot's preview).
DEPARTED = "anan"

SHOTS = [
    ("queue_dashboard", "niran", shot_queue_dashboard),
    ("queue_form", "admin", shot_queue_form),
    ("pool_refused_claim", "wei", shot_pool_refused),
    ("pool_phone", "wei", shot_pool_phone, (390, 844)),
    ("lead_chatter", "admin", shot_lead_chatter),
    ("lead_assignments", "admin", shot_lead_assignments),
    ("lead_stage_history", "admin", shot_lead_stage_history),
    ("assign_wizard", "niran", shot_assign_wizard),
    ("handover_wizard", "admin", shot_handover_wizard),
    ("leaderboard", "niran", shot_leaderboard),
    ("leaderboard_rep", "somchai", shot_leaderboard_rep),
    ("queue_fairness", "niran", shot_queue_fairness),
    ("assignment_analysis", "admin", shot_assignment_analysis),
    ("stage_analysis", "admin", shot_stage_analysis),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--port", type=int, default=9333, help="DevTools port")
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("only", nargs="*", help="names of the screens to take")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    os.makedirs(OUT, exist_ok=True)
    browser = Browser(args.chromium, args.port, width, height)
    try:
        take_all(browser, args.url.rstrip("/"), args.db, set(args.only))
    except RuntimeError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
