from . import crm_team
from . import ir_rule
