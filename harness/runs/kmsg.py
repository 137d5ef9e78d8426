# SPDX-License-Identifier: GPL-2.0-only
"""A kernel log line's printk prefix: "[   1.234567]" with printk.time=1,
then "[    T42]" with CONFIG_PRINTK_CALLER.  Every reader of the log
matches the message after it, so KTAP and reports parse the same with
or without time stamps; and the KTAP lines they all match."""
import re

PREFIX = re.compile(r"^\[\s*(\d+\.\d+)\](?:\[\s*[TC]\d+\])? ?")
# KTAP lines, in a message: a suite or case begins, a result.
SUBTEST = re.compile(r"^(?P<indent>\s*)# Subtest: (?P<name>\S+)")
RESULT = re.compile(r"^(?P<indent>\s*)(?:not )?ok \d+ (?P<name>\S+)")


def split(line):
    """(seconds or None, the message) of one log line."""
    m = PREFIX.match(line)
    if not m:
        return None, line
    return float(m.group(1)), line[m.end():]


def message(line):
    """The line without its printk prefix."""
    return split(line)[1]
