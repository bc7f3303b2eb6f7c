from odoo import http

from . import test_install
from . import test_security
from . import test_security_rpc
from . import test_perimeter_values
from . import test_queue_strategies
from . import test_queue_assignment
from . import test_cadence
from . import test_queue_simulation
from . import test_stage_probability
from . import test_stage_history
from . import test_queue_config
from . import test_queue_matching
from . import test_queue_eligibility
from . import test_queue_overflow
from . import test_queue_channels
from . import test_queue_performance
from . import test_stage_access
from . import test_stage_analysis
from . import test_stage_tour
from . import test_queue_ui
from . import test_i18n
from . import test_queue_concurrency
from . import test_queue_safety_net
from . import test_queue_door
from . import test_queue_backlog
from . import test_queue_rights
from . import test_pool_rules
from . import test_pool_privacy
from . import test_pool_concurrency
from . import test_pool_screens
from . import test_pool_ui
from . import test_targets
from . import test_assignment_report
from . import test_dashboard
from . import test_fairness_report
from . import test_duration_words
from . import test_targets_tour
from . import test_dashboard_tour
from . import test_assign_wizard
from . import test_handover
from . import test_handover_leader
from . import test_wizard_tours
from . import test_leader_day_tour
from . import test_pool_phone_tour
from . import test_sla_tour
from . import test_sla
from . import test_dispatch
from . import test_sla_concurrency
from . import test_migration
from . import test_perimeter
from . import test_perimeter_matrix
from . import test_intake
from . import test_targets_current
from . import test_targets_concurrency
from . import test_targets_leaderboard
from . import test_pool_live
from . import test_pool_live_tour
from . import test_replica_reads
from . import test_account_owner
from . import test_best_fit
from . import test_offers
from . import test_skills_relax
from . import test_native_answers
from . import test_offer_attack_rpc
from . import test_offer_link
from . import test_offer_phone_tour
from . import test_offer_tour
from . import test_vip_tier

# Python 3.11.7's ast module is not thread-safe (CPython gh-106905: "AST
# constructor recursion depth mismatch"): the test server's first static request
# parses every add-on's manifest in its thread while the tests compile in theirs.
# Parse them once here, in the main thread, before any browser tour runs.
http.root.statics  # noqa: B018  pylint: disable=pointless-statement
