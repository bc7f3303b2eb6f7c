from . import test_install
from . import test_security
from . import test_security_rpc
from . import test_stage_probability
from . import test_stage_history
from . import test_queue_simulation
from . import test_queue_ui
