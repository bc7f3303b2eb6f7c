from . import crm_team_queue
from . import mailing_mailing
from . import mailing_trace
