"""Build the add-on's README.rst from its readme/*.md fragments (OCA layout).

A small Markdown-to-reStructuredText converter for what the fragments use: headings,
paragraphs, bullet and numbered lists, fenced code blocks, inline code, bold/italic,
links, pipe tables and images alone on their line (``![alt](path)``). ``--check``
fails when README.rst is not up to date.
"""

import ast
import re
import sys
from pathlib import Path

SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]
UNDERLINE = {0: "=", 1: "~", 2: "-", 3: "^"}


def inline(text):
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", text)
    text = re.sub(r"(?<![*\w])\*([^*\s][^*]*?)\*(?![*\w])", r"*\1*", text)
    return text


def table(rows):
    cells = [
        [inline(c.strip()) for c in row.strip().strip("|").split("|")] for row in rows
    ]
    header, body = cells[0], [r for r in cells[2:]]
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *body]:
        out.append(f"   * - {row[0]}")
        out.extend(f"     - {cell}" for cell in row[1:])
    return out + [""]


def convert(md, level_offset):
    out, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            lang = line[3:].strip()
            out += [f".. code-block:: {lang}" if lang else "::", ""]
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(f"    {lines[i]}" if lines[i] else "")
                i += 1
            out.append("")
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            out += table(rows)
            continue
        elif match := re.match(r"^!\[([^\]]*)\]\(([^)]+)\)\s*$", line):
            out += [f".. image:: {match.group(2)}", f"   :alt: {match.group(1)}", ""]
        elif match := re.match(r"^(#+)\s+(.*)", line):
            title = inline(match.group(2))
            level = len(match.group(1)) - 1 + level_offset
            out += [title, UNDERLINE[min(level, 3)] * len(title), ""]
        else:
            out.append(inline(line))
        i += 1
    return "\n".join(out).strip() + "\n"


def build(addon):
    addon = Path(addon)
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    name = manifest["name"]
    parts = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        ".. !! This file is generated from readme/*.md by tools/gen_readme.py:",
        "   edit the fragments, then run 'make readme'.",
        "",
        f"*{manifest['summary']}*",
        "",
        f"Version {manifest['version']} · License {manifest['license']} · "
        f"Category {manifest['category']}",
        "",
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for filename, title in SECTIONS:
        path = addon / "readme" / filename
        if not path.exists():
            continue
        if title:
            parts += [title, "=" * len(title), ""]
        parts.append(convert(path.read_text(), 1))
    return "\n".join(parts).rstrip() + "\n"


def main(argv):
    check = "--check" in argv
    addon = Path([a for a in argv if not a.startswith("--")][0])
    text, target = build(addon), addon / "README.rst"
    if check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run 'make readme'")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
