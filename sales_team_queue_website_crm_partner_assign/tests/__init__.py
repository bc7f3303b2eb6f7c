from . import test_partner_assign
