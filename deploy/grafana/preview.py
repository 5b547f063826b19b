#!/usr/bin/python3
"""Renders the dashboard's layout (panel titles, types, queries on the 24-column
Grafana grid) as a self-contained HTML page, for a picture without Grafana:

  deploy/grafana/preview.py > /tmp/layout.html
  chromium --headless --no-sandbox --screenshot=docs/images/dashboard_layout.png \
      --window-size=1200,1000 file:///tmp/layout.html
"""
import html
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "deploy/grafana/dashboards/quantum_safety_telemetry.json")) as f:
    dash = json.load(f)

COL, ROW = 48, 22  # pixels per grid column and row
boxes = []
for p in dash["panels"]:
    g = p["gridPos"]
    expr = p["targets"][0]["expr"] if p["targets"] else ""
    boxes.append(
        f'<div class="p" style="left:{g["x"] * COL}px;top:{g["y"] * ROW}px;'
        f'width:{g["w"] * COL - 6}px;height:{g["h"] * ROW - 6}px">'
        f'<b>{html.escape(p["title"])}</b><i>{p["type"]}</i>'
        f'<code>{html.escape(expr)}</code></div>')
height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dash["panels"]) * ROW
print(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #111217; font: 13px system-ui, sans-serif; color: #ccccdc; }}
h1 {{ font-size: 16px; margin: 10px 12px; }}
#g {{ position: relative; margin: 0 12px; height: {height}px; }}
.p {{ position: absolute; background: #181b1f; border: 1px solid #2c3235; border-radius: 3px;
     padding: 6px 8px; box-sizing: border-box; overflow: hidden; }}
.p b {{ display: block; color: #fff; }}
.p i {{ color: #8e8e8e; font-size: 11px; }}
.p code {{ display: block; margin-top: 4px; font-size: 10px; color: #6e9fff; word-break: break-all; }}
</style></head><body><h1>{html.escape(dash["title"])} &mdash; refresh {dash["refresh"]},
data source ${{datasource}}</h1><div id="g">{"".join(boxes)}</div></body></html>""")
