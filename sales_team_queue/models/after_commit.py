"""Work done in transactions of their own: gathered during a transaction and
done once it has committed (routing, the bus, targets recomputed, best fit's
counts, queue faults flagged), or a claim that must see the latest commits.
One value per transaction and kind, handed over once; one READ COMMITTED
transaction, tried again after a conflict."""

import logging
import random
import time
from contextlib import contextmanager
from functools import partial

from psycopg2 import OperationalError, errorcodes

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Errors after which such a transaction is tried again.
RETRYABLE = frozenset(
    {
        errorcodes.SERIALIZATION_FAILURE,
        errorcodes.DEADLOCK_DETECTED,
        errorcodes.LOCK_NOT_AVAILABLE,
    }
)


def after_commit_value(env, key, factory, callback):
    """The value under ``key`` that the current transaction gathers (made by
    ``factory`` on first use), passed as ``callback(registry, value)`` once the
    transaction has committed; nothing is done if it rolls back."""
    postcommit = env.cr.postcommit
    value = postcommit.data.get(key)
    if value is None:
        value = postcommit.data[key] = factory()
        registry = env.registry
        postcommit.add(lambda: callback(registry, value))
    return value


@contextmanager
def read_committed_cursor(registry, lock_timeout):
    """A new cursor whose transaction is READ COMMITTED (each statement sees
    the latest commits: waiting for a lock gives the latest state, never a
    serialization failure) and whose lock waits end after ``lock_timeout``;
    committed when the block ends, rolled back on an error. For the work
    done after a commit (routing, targets) and the claims."""
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
                   SELECT set_config('lock_timeout', %s, true)""",
                lock_timeout,
            )
        )
        yield cr


def run_read_committed(
    registry, work, tries, lock_timeout, retryable=RETRYABLE, errors=OperationalError
):
    """Run ``work(cr)`` in a transaction of its own (:func:`read_committed_cursor`),
    committed when it returns; tried again, up to ``tries`` times after a
    short random wait, when it fails with one of ``errors`` whose code is in
    ``retryable`` (a lock timeout, a deadlock). Other exceptions propagate.
    Once the work has committed, a post-commit hook that fails is logged and
    the next ones still run (:func:`_committed`); the work is never tried
    again nor its error raised: it is done.

    :return: None once done, else the last error (the work is not done: the
        caller says what catches up)
    """
    for attempt in range(1, tries + 1):
        committed = []
        try:
            with read_committed_cursor(registry, lock_timeout) as cr:
                cr.postcommit.add(partial(_committed, cr.postcommit, committed))
                work(cr)
            return None
        except Exception as error:
            if committed:
                # the commit is done: what failed after it is not the work
                _logger.warning(
                    "After the commit of %s",
                    getattr(work, "__qualname__", work),
                    exc_info=True,
                )
                return None
            if not isinstance(error, errors):
                raise
            if error.pgcode not in retryable or attempt == tries:
                return error
            time.sleep(random.uniform(0.0, 0.1 * attempt))


def _committed(postcommit, committed):
    """The first post-commit hook of :func:`run_read_committed`: the commit is
    done (``committed`` gets an item); then it runs the other hooks, each
    failure logged: Odoo would stop at the first one and drop the others
    (the bus, targets, the next routing)."""
    committed.append(True)
    while True:
        try:
            postcommit.run()
            return
        except Exception:
            _logger.warning("A post-commit hook failed", exc_info=True)
