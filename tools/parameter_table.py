"""Print the Markdown parameter table of docs/MODEL.md from yreb.model.parameters (keeps the two in sync).

.venv/bin/python tools/parameter_table.py
"""

from yreb.model.parameters import parameter_table


def main() -> None:
    """Print the table: parameter, default, unit, basis, documented range, meaning and source."""
    print("| parameter | default | unit | basis | range | meaning and source |")
    print("|---|---|---|---|---|---|")
    for row in parameter_table():
        span = f"{row['range'][0]:g}-{row['range'][1]:g}" if row["range"] else ""
        print(f"| `{row['name']}` | {row['default']} | {row['unit']} | {row['basis']} | {span} | {row['source']} |")


if __name__ == "__main__":
    main()
