#!/usr/bin/python3
"""Runs the first ```python block of a Markdown file in a scratch directory
where the paths it names point at files the test suite produced.
    run_python_snippet.py DOC.md LINK=TARGET [LINK=TARGET ...]"""
import os
import re
import sys
import tempfile

doc, links = sys.argv[1], sys.argv[2:]
text = open(doc).read()
match = re.search(r"```python\n(.*?)```", text, re.S)
assert match, f"{doc}: no python block"
with tempfile.TemporaryDirectory() as scratch:
    for link in links:
        name, target = link.split("=", 1)
        os.makedirs(os.path.join(scratch, os.path.dirname(name)), exist_ok=True)
        os.symlink(os.path.abspath(target), os.path.join(scratch, name))
    os.chdir(scratch)
    exec(compile(match.group(1), doc, "exec"), {})
