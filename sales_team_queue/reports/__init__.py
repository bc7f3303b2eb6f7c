from . import crm_stage_analysis
