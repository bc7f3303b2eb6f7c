from . import crm_team_queue_simulation
