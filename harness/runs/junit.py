# SPDX-License-Identifier: GPL-2.0-only
"""Write a run's KUnit results as JUnit XML, for CI services to show.

One testcase per KUnit case, parameters included, grouped in one
testsuite per KUnit suite; a failed case carries its log lines, taken from
the KTAP output (kunit.py's JSON has none).  A kernel log with reports, or
a run that gave no results, is a failing testcase of its own, named for
the profile, as it fails the run.
"""
import re
import xml.etree.ElementTree as ET

import kmsg
from kmsg import RESULT, SUBTEST

HEADER = re.compile(r"^\s*(KTAP version|1\.\.\d+|# module:)")


def ktap_logs(lines):
    """{(suite, case name): the lines the case printed} from a KTAP log."""
    logs, parents, block = {}, [], []
    for line in lines:
        line = kmsg.message(line.rstrip("\n"))
        m = SUBTEST.match(line)
        if m:
            parents.append(m["name"])
            block = []
            continue
        m = RESULT.match(line)
        if not m:
            if not HEADER.match(line):
                block.append(line)
            continue
        name = m["name"]
        if parents and parents[-1] == name:
            parents.pop()
        elif parents:
            logs[(parents[0], "/".join(parents[1:] + [name]))] = "\n".join(block)
        block = []
    return logs


def cases(group, path=()):
    """Yield (suite, case name, status, log) for every leaf of a kunit.py JSON group."""
    for case in group.get("test_cases", []):
        yield (path[0] if path else group.get("name", ""),
               "/".join(path[1:] + (case["name"],)),
               case.get("status", ""), case.get("log", ""))
    for sub in group.get("sub_groups", []):
        yield from cases(sub, path + (sub.get("name", ""),))


def build(profile, tree, problems, logs=None):
    """The XML tree.

    @problems maps a testcase name to the text that failed it; @logs, from
    ktap_logs(), gives failed cases their lines.
    """
    root = ET.Element("testsuites", name=profile)
    suites = {}
    for suite, name, status, log in cases(tree or {}):
        ts = suites.get(suite)
        if ts is None:
            ts = suites[suite] = ET.SubElement(root, "testsuite",
                                               name=f"{profile}.{suite}")
        tc = ET.SubElement(ts, "testcase", classname=f"{profile}.{suite}",
                           name=name)
        if status == "SKIP":
            ET.SubElement(tc, "skipped")
        elif status != "PASS":
            text = log or (logs or {}).get((suite, name), "")
            ET.SubElement(tc, "failure", message=status).text = text
    if problems:
        ts = ET.SubElement(root, "testsuite", name=f"{profile}.run")
        for name, text in problems.items():
            tc = ET.SubElement(ts, "testcase", classname=f"{profile}.run",
                               name=name)
            ET.SubElement(tc, "failure", message=name).text = text
    for ts in root:
        tcs = list(ts)
        ts.set("tests", str(len(tcs)))
        ts.set("failures", str(sum(tc.find("failure") is not None for tc in tcs)))
        ts.set("skipped", str(sum(tc.find("skipped") is not None for tc in tcs)))
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(sum(int(ts.get(key)) for ts in root)))
    return ET.ElementTree(root)


def write(path, profile, tree, problems, lines=()):
    """Write @path; @lines is the run's kernel log, for the cases' lines."""
    xml = build(profile, tree, problems, ktap_logs(lines))
    ET.indent(xml)
    xml.write(path, encoding="unicode", xml_declaration=True)
