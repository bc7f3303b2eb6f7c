"""The number of related records, for the ``*_count`` fields of smart buttons:
one grouped read for all the records computed at once."""


def set_related_counts(records, fname, comodel_name, inverse_name, domain=()):
    """Set ``fname`` of each of ``records`` to the number of ``comodel_name``
    records whose ``inverse_name`` is that record (and that match ``domain``)."""
    groups = records.env[comodel_name]._read_group(
        [(inverse_name, "in", records.ids), *domain], [inverse_name], ["__count"]
    )
    counts = {record.id: count for record, count in groups}
    for record in records:
        record[fname] = counts.get(record.id, 0)
