"""XML checks of the add-on that pylint-odoo 9 no longer does: duplicate xml ids,
deprecated Odoo 18 view syntax (<tree>, attrs=, states=) and unparsable files."""

import re
import sys
from pathlib import Path

from lxml import etree


def main(addon):
    errors, seen = [], {}
    for path in sorted(Path(addon).rglob("*.xml")):
        try:
            tree = etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            errors.append(f"{path}: not well-formed XML: {exc}")
            continue
        for node in tree.iter("record", "template", "menuitem", "act_window"):
            xmlid = node.get("id")
            if not xmlid:
                continue
            if xmlid in seen:
                errors.append(
                    f"{path}:{node.sourceline}: duplicate xml id {xmlid} "
                    f"(first in {seen[xmlid]})"
                )
            seen.setdefault(xmlid, f"{path}:{node.sourceline}")
        text = path.read_text()
        for lineno, line in enumerate(text.splitlines(), 1):
            if re.search(r"<tree[\s>]", line):
                errors.append(f"{path}:{lineno}: <tree> is deprecated, use <list>")
            if re.search(r"\s(attrs|states)=\"", line):
                errors.append(f"{path}:{lineno}: attrs/states are gone in Odoo 18")
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
