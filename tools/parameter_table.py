"""Print the Markdown parameter table of docs/MODEL.md from yreb.model.parameters (keeps the two in sync).

.venv/bin/python tools/parameter_table.py
"""

from yreb.model.parameters import parameter_table


def main() -> None:
    print("| parameter | default | unit | meaning and source |")
    print("|---|---|---|---|")
    for row in parameter_table():
        print(f"| `{row['name']}` | {row['default']} | {row['unit']} | {row['source']} |")


if __name__ == "__main__":
    main()
