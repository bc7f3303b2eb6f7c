from . import crm_team_queue_simulation
from . import crm_lead_release
