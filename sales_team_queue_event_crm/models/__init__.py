from . import event_registration
