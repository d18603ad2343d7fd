"""Check the simulator's problem catalogue against the official OpenAPI document of the Astra Control API.

    python scripts/check_problem_catalogue.py /path/to/astra.json

The document (reference/astra.json in the GitHub repository NetAppDocs/astra-automation) may not be redistributed,
so it is not in this repository and no test reads it: run this whenever the catalogue changes. Every entry's type,
status, title and detail must equal the document's single-value enums; exit 1 lists each difference.
"""
import json
import sys

from astra_simulator.problems import CATALOGUE


def differences(schemas):
    found = []
    for number, (status, title, detail) in sorted(CATALOGUE.items()):
        schema = schemas.get("astra_problem_detail_%d" % number)
        if schema is None:
            found.append("problem %d: not in the document" % number)
            continue
        properties = schema["properties"]
        expected = {"type": "https://astra.netapp.io/problems/%d" % number, "status": str(status), "title": title,
                    "detail": detail}
        for member, value in expected.items():
            if properties[member]["enum"] != [value]:
                found.append("problem %d %s: simulator %r, document %r" % (number, member, value, properties[member]["enum"]))
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as document:
        schemas = json.load(document)["components"]["schemas"]
    found = differences(schemas)
    for line in found:
        print(line)
    print("%d problem types checked, %d differences" % (len(CATALOGUE), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
