"""Remakes the tagged inventories other YAML tools write from examples/westmere.yaml.

    python3 -m pip install PyYAML ruamel.yaml   # versions used: PyYAML 6.0.4, ruamel.yaml 0.19.1
    python3 tests/data/yaml/make_tagged.py

- westmere-pyyaml-canonical.yaml: PyYAML's `canonical=True` (every node tagged, flow style,
  `!!timestamp "2021-01-10"` for dates);
- westmere-ruamel-quoted.yaml: ruamel.yaml with every scalar double-quoted (`default_style='"'`),
  which tags every scalar that is not a string (`!!int "3"`, `!!bool "true"`, `!!timestamp`).
"""
import io
import pathlib
import sys

import yaml
from ruamel.yaml import YAML

here = pathlib.Path(__file__).resolve().parent
root = here.parents[2]
source = (root / "examples" / "westmere.yaml").read_text(encoding="utf-8")

data = yaml.safe_load(source)
(here / "westmere-pyyaml-canonical.yaml").write_text(
    yaml.dump(data, canonical=True, sort_keys=False, allow_unicode=True), encoding="utf-8"
)

ry = YAML(typ="rt")
ry.default_style = '"'
doc = YAML(typ="safe").load(source)
out = io.StringIO()
ry.dump(doc, out)
(here / "westmere-ruamel-quoted.yaml").write_text(out.getvalue(), encoding="utf-8")
print("wrote", file=sys.stderr)
