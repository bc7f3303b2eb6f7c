from . import crm_stage_analysis
from . import crm_lead_assignment_report
from . import crm_team_queue_fairness_report
from . import crm_sales_target_ranking
