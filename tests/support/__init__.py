"""The one place tests import their helpers from (`from tests.support.hall import Inbox`).

Test modules import no other test module and never `conftest` (which holds
fixtures only); what the demos and the screenshot tool share with the tests
is in `testbed/`.
"""
