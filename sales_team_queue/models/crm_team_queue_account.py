"""Returning customers (``route_to_account_owner``): the known customer of each
lead of a batch and that customer's salesperson, found in at most three queries
whatever the number of leads; routing gives the lead to them before the
queue's strategy (:meth:`_select_account_owner`, called by
``_select_for_lead``), and says why when it does not."""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL, email_domain_extract

from .values import AccountMatch, Reason, open_lead_sql

# Domains of public mail providers: an e-mail there says nothing of the sender's
# company. The system parameter PUBLIC_DOMAINS_PARAM adds more (comma-separated).
PUBLIC_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.th yahoo.com.vn yahoo.co.jp
    yahoo.fr yahoo.co.uk ymail.com hotmail.com hotmail.co.th hotmail.fr
    hotmail.co.uk outlook.com outlook.co.th live.com live.fr msn.com icloud.com
    me.com mac.com aol.com gmx.com gmx.de gmx.net web.de mail.com mail.ru
    yandex.ru yandex.com proton.me protonmail.com zoho.com qq.com foxmail.com
    163.com 126.com yeah.net sina.com sina.cn sohu.com aliyun.com 139.com
    naver.com daum.net hanmail.net orange.fr free.fr laposte.net wanadoo.fr
    libero.it t-online.de rediffmail.com""".split()
)
PUBLIC_DOMAINS_PARAM = "sales_team_queue.public_mail_domains"


class CrmTeamQueue(models.Model):
    _inherit = "crm.team.queue"

    @api.model
    def _account_public_mail_domains(self):
        """Domains whose e-mails match no company: the public mail providers
        and those of the system parameter ``PUBLIC_DOMAINS_PARAM``."""
        extra = (
            self.env["ir.config_parameter"].sudo().get_param(PUBLIC_DOMAINS_PARAM) or ""
        )
        return PUBLIC_MAIL_DOMAINS | {
            domain.strip().lower() for domain in extra.split(",") if domain.strip()
        }

    @api.model
    def _account_matches(self, leads):
        """The known customer of each of ``leads`` that has a salesperson.

        :return: dict {lead id: :class:`AccountMatch`}
        """
        accounts = self._account_of_leads(leads)
        if not accounts:
            return {}
        owners = self._account_owners(set(accounts.values()))
        return {
            lead_id: AccountMatch(account, *owners[account])
            for lead_id, account in accounts.items()
            if account in owners
        }

    @api.model
    def _account_of_leads(self, leads):
        """The customer of each of ``leads``: the company of its contact (or
        the contact), else a company whose contacts' e-mails share the
        lead's domain (not a public mail provider's, nor one of the
        companies using Odoo here).

        :return: dict {lead id: commercial partner id}
        """
        own = set(self.env["res.company"].sudo().search([]).partner_id.ids)
        public = self._account_public_mail_domains()
        result = {}
        by_domain = defaultdict(list)
        for lead in leads:
            if lead.partner_id:
                account = lead.partner_id.commercial_partner_id.id
                if account not in own:
                    result[lead.id] = account
                continue
            domain = (email_domain_extract(lead.email_normalized or "") or "").lower()
            if domain and domain not in public:
                by_domain[(domain, lead.company_id.id or None)].append(lead.id)
        if by_domain:
            for key, account in self._account_by_domain(list(by_domain)).items():
                result.update(dict.fromkeys(by_domain[key], account))
        return result

    @api.model
    def _account_by_domain(self, keys):
        """The one company whose active contacts' e-mails are at each domain,
        among the companies visible in the lead's company. A domain of several
        companies finds none: which one would be a guess, and anyone who may
        create a company could otherwise take a customer's leads by giving it
        a contact at the customer's domain.

        :param keys: list of (domain, company id or None)
        :return: dict {(domain, company id or None): commercial partner id}
        """
        self.env["res.partner"].flush_model(
            ["email_normalized", "commercial_partner_id", "is_company", "active"]
        )
        self.env.cr.execute(
            SQL(
                """SELECT domain, company_id, account FROM (
                       SELECT d.domain, d.company_id, cp.id AS account,
                              COUNT(*) OVER (PARTITION BY d.domain, d.company_id)
                                  AS companies
                         FROM unnest(%s::varchar[], %s::int[])
                              AS d(domain, company_id)
                         JOIN res_partner p
                           ON split_part(p.email_normalized, '@', 2) = d.domain
                         JOIN res_partner cp ON cp.id = p.commercial_partner_id
                        WHERE p.active AND cp.active AND cp.is_company
                          AND (cp.company_id IS NULL OR cp.company_id = d.company_id)
                          AND cp.id NOT IN (SELECT partner_id FROM res_company)
                        GROUP BY d.domain, d.company_id, cp.id) matched
                    WHERE companies = 1""",
                [domain for domain, _company in keys],
                [company for _domain, company in keys],
            )
        )
        return {
            (domain, company): account
            for domain, company, account in self.env.cr.fetchall()
        }

    @api.model
    def _account_owners(self, account_ids):
        """The salesperson of each account: the customer's own salesperson,
        else the one who holds most of its open opportunities (the latest on
        a tie); and the date of their first lead of the account.

        :return: dict {account id: (user id, ISO date or "")}
        """
        self.env["crm.lead"].flush_model(
            ["partner_id", "user_id", "type", "active", "stage_id"]
        )
        self.env["res.partner"].flush_model(["user_id", "commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """WITH opp AS (
                       SELECT DISTINCT ON (p.commercial_partner_id)
                              p.commercial_partner_id AS account, l.user_id
                         FROM crm_lead l
                         JOIN res_partner p ON p.id = l.partner_id
                         LEFT JOIN crm_stage st ON st.id = l.stage_id
                        WHERE p.commercial_partner_id = ANY(%(ids)s)
                          AND l.type = 'opportunity' AND l.user_id IS NOT NULL
                          AND %(open)s
                        GROUP BY p.commercial_partner_id, l.user_id
                        ORDER BY p.commercial_partner_id, COUNT(*) DESC,
                                 MAX(l.id) DESC),
                   owner AS (
                       SELECT a.id AS account, COALESCE(a.user_id, opp.user_id) AS uid
                         FROM res_partner a LEFT JOIN opp ON opp.account = a.id
                        WHERE a.id = ANY(%(ids)s))
                   SELECT o.account, o.uid, (
                          SELECT MIN(l.create_date)::date FROM crm_lead l
                            JOIN res_partner p ON p.id = l.partner_id
                           WHERE p.commercial_partner_id = o.account
                             AND l.user_id = o.uid)
                     FROM owner o WHERE o.uid IS NOT NULL""",
                ids=sorted(account_ids),
                open=open_lead_sql("l", "st"),
            )
        )
        return {
            account: (user_id, since.isoformat() if since else "")
            for account, user_id, since in self.env.cr.fetchall()
        }

    @api.model
    def _select_account_owner(self, config, lead, state):
        """The member of the queue ``config`` who holds the account of ``lead``
        (``state.accounts``), when the queue routes returning customers to
        them and they may receive it (with the caps unless it counts as a
        turn); their turn is counted.

        :return: (MemberState, Reason of the match); (None, Reason why the
            salesperson was skipped); (None, None) for a lead of no known
            customer
        """
        match = config.route_to_account_owner and state.accounts.get(lead.id)
        if not match:
            return None, None
        user_arg = {"user": {"model": "res.users", "id": match.user_id}}
        member = next(
            (m for m in state.members[config.id] if m.user_id == match.user_id), None
        )
        if not member:
            return None, Reason("member_not_in_queue", user_arg)
        counts = config.account_owner_counts_as_turn
        skip = () if counts else self._routing_cap_rules()
        refusal = state.why_not(config, member, lead, skip=skip)
        if refusal:
            return None, refusal
        state.record(config, member.user_id, turn=counts)
        if counts:
            self._account_turn(config, member, state)
        args = dict(user_arg, account={"model": "res.partner", "id": match.partner_id})
        if match.since:
            return member, Reason("account_owner", dict(args, since=match.since))
        return member, Reason("account_owner_new", args)

    @api.model
    def _account_turn(self, config, member, state):
        """Count the lead ``member`` received as the account's salesperson as
        their turn: round robin skips their next turn (one turn owed: a
        negative credit), weighted gives them a turn among the active members;
        the other strategies read the leads themselves."""
        if config.strategy == "round_robin":
            member.wrr -= 1
            state.wrr_changed.add(member.id)
        elif config.strategy == "weighted":
            active = [m for m in state.members[config.id] if m.active]
            self._weighted_turn(active, member, state)
