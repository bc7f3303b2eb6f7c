from . import crm_team
from . import ir_rule
from . import res_company
from . import res_config_settings
from . import crm_team_queue
from . import crm_team_queue_member
from . import crm_lead_assignment
from . import crm_lead
