from . import crm_lead_selection_mixin
from . import crm_team_queue_simulation
from . import crm_lead_release
from . import crm_sales_target_generate
from . import crm_lead_assign
from . import crm_salesperson_handover
from . import crm_lead_offer_decline
