"""Work gathered during a transaction and done once it has committed, in a
transaction of its own (the bus, targets recomputed, queue faults flagged):
one value per transaction and kind, handed over once."""


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
