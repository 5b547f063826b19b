"""Independent check of the exporter's output: parse it with the official
Python client's parser (Debian's python3-prometheus-client) and print one
line per sample, sorted: name<TAB>labels-as-JSON<TAB>value. Exit 1 on a
parse error. Run with /usr/bin/python3, which has the Debian packages."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.buffer.read().decode("utf-8")
    lines = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                labels = json.dumps(dict(sorted(s.labels.items())), ensure_ascii=False)
                lines.append(f"{s.name}\t{labels}\t{s.value!r}")
    except Exception as e:  # the parser raises ValueError and friends
        print(f"parse error: {e}", file=sys.stderr)
        return 1
    sys.stdout.write("".join(line + "\n" for line in sorted(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
