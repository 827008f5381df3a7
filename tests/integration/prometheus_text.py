"""prometheus_text.py - a strict reader of the Prometheus text exposition
format, version 0.0.4 (what GET /metrics serves; docs/rest.md,
"Operations"), for the integration tests.

parse(text) returns {family name: Family} and raises ValueError naming the
line for anything a Prometheus server would refuse or misread:
  * a line that is not a comment, HELP, TYPE, blank, or a sample
    `name{label="value",...} value [timestamp]`;
  * metric and label names outside [a-zA-Z_:][a-zA-Z0-9_:]* and
    [a-zA-Z_][a-zA-Z0-9_]*, label values with escapes other than \\\\, \\"
    and \\n, values that are not Go floats (+Inf, -Inf, NaN included);
  * HELP or TYPE twice for a family, TYPE after the family's samples, a
    type other than counter, gauge, histogram, summary, untyped;
  * a family's samples not in one group, the same series twice;
  * a histogram whose buckets per label set are not cumulative, lack
    le="+Inf", or whose _count differs from that bucket or lacks _sum;
  * no newline at the end of the text.
"""

import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Family:
    def __init__(self, name):
        self.name, self.type, self.help = name, None, None
        self.samples = []   # (sample name, {label: value}, float value)

    def value(self, suffix="", **labels):
        """The one sample `name+suffix` whose labels include `labels`."""
        found = [v for n, ls, v in self.samples
                 if n == self.name + suffix and all(ls.get(k) == w for k, w in labels.items())]
        if len(found) != 1:
            raise KeyError("%s%s%r: %d samples" % (self.name, suffix, labels, len(found)))
        return found[0]


def _float(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)", text):
        raise ValueError("%s: %r is not a float" % (where, text))
    return float(text)


def _labels(text, pos, where):
    """Parses `{...}` from text[pos] == '{'; returns (labels, position after '}')."""
    labels = {}
    pos += 1
    while True:
        if text[pos:pos + 1] == "}":
            return labels, pos + 1
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError("%s: bad label name at %d" % (where, pos))
        name = m.group(0)
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise ValueError("%s: label %s without =\"" % (where, name))
        pos += 2
        value = []
        while True:
            c = text[pos:pos + 1]
            if c == "":
                raise ValueError("%s: unterminated label value" % where)
            if c == "\\":
                e = text[pos + 1:pos + 2]
                if e not in ("\\", '"', "n"):
                    raise ValueError("%s: bad escape \\%s" % (where, e))
                value.append("\n" if e == "n" else e)
                pos += 2
                continue
            if c == '"':
                pos += 1
                break
            if c == "\n":
                raise ValueError("%s: raw newline in a label value" % where)
            value.append(c)
            pos += 1
        if name in labels:
            raise ValueError("%s: label %s twice" % (where, name))
        labels[name] = "".join(value)
        if text[pos:pos + 1] == ",":
            pos += 1
        elif text[pos:pos + 1] != "}":
            raise ValueError("%s: expected , or } after label %s" % (where, name))


def _family_of(sample_name, families):
    """The family a sample belongs to (a histogram's _bucket/_sum/_count too)."""
    if sample_name in families:
        return sample_name
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample_name[:-len(suffix)] if sample_name.endswith(suffix) else None
        if base and base in families and families[base].type in ("histogram", "summary"):
            return base
    return sample_name


def parse(text):
    if not text.endswith("\n"):
        raise ValueError("the text does not end with a newline")
    families, order, seen_series, closed = {}, [], set(), set()
    current = None
    for number, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d (%r)" % (number, line)
        if line.strip() == "":
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    raise ValueError("%s: bad metric name" % where)
                family = families.setdefault(name, Family(name))
                if name not in order:
                    order.append(name)
                if name in closed or (family.samples and parts[1] == "TYPE"):
                    raise ValueError("%s: %s after the family's samples" % (where, parts[1]))
                if parts[1] == "HELP":
                    if family.help is not None:
                        raise ValueError("%s: second HELP" % where)
                    family.help = parts[3] if len(parts) > 3 else ""
                else:
                    if family.type is not None:
                        raise ValueError("%s: second TYPE" % where)
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ValueError("%s: bad type" % where)
                    family.type = parts[3]
            continue
        m = NAME.match(line)
        if not m:
            raise ValueError("%s: not a sample" % where)
        sample_name, pos = m.group(0), m.end()
        labels = {}
        if line[pos:pos + 1] == "{":
            labels, pos = _labels(line, pos, where)
        rest = line[pos:]
        if not rest.startswith(" "):
            raise ValueError("%s: no space before the value" % where)
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise ValueError("%s: expected a value and an optional timestamp" % where)
        value = _float(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise ValueError("%s: bad timestamp" % where)
        name = _family_of(sample_name, families)
        family = families.setdefault(name, Family(name))
        if name not in order:
            order.append(name)
        if current != name:
            if name in closed:
                raise ValueError("%s: the samples of %s are not in one group" % (where, name))
            if current is not None:
                closed.add(current)
            current = name
        series = (sample_name, tuple(sorted(labels.items())))
        if series in seen_series:
            raise ValueError("%s: the same series twice" % where)
        seen_series.add(series)
        family.samples.append((sample_name, labels, value))
    for family in families.values():
        if family.type == "histogram":
            _check_histogram(family)
    return families


def _check_histogram(family):
    groups = {}
    for name, labels, value in family.samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        groups.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if name == family.name + "_bucket":
            if "le" not in labels:
                raise ValueError("%s: a bucket without le" % family.name)
            groups[key]["buckets"].append((_float(labels["le"], family.name), value))
        elif name == family.name + "_sum":
            groups[key]["sum"] = value
        elif name == family.name + "_count":
            groups[key]["count"] = value
        else:
            raise ValueError("%s: sample %s in a histogram" % (family.name, name))
    for key, g in groups.items():
        bounds = [b for b, _ in g["buckets"]]
        if bounds != sorted(bounds) or not bounds or bounds[-1] != math.inf:
            raise ValueError("%s%r: buckets not ascending to +Inf" % (family.name, key))
        counts = [v for _, v in g["buckets"]]
        if counts != sorted(counts):
            raise ValueError("%s%r: buckets not cumulative" % (family.name, key))
        if g["sum"] is None or g["count"] is None or g["count"] != counts[-1]:
            raise ValueError("%s%r: _sum/_count missing or _count != +Inf bucket" % (family.name, key))
