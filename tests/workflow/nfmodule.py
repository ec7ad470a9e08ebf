"""Reads an nf-core style Nextflow module (nextflow/modules/sigstream/<cmd>/main.nf) the way Nextflow would run it,
for the contract test: its input and output declarations, and its `script:` and `stub:` blocks turned into the exact
shell text Nextflow would run for given inputs and task settings.

Only the Groovy the modules use is understood — `def x = …` / `x = …` statements with string literals, GStrings,
dotted names (meta.id, task.ext.args, task.cpus, task.process), `a ?: b` and `c ? a : b` — and anything else is an
error, so a module cannot grow Groovy this reader would silently get wrong.
"""

import glob
import os
import re
import textwrap


class ModuleError(Exception):
    pass


# ------------------------------------------------------------------------------------------ the module's sections

def sections(text):
    """{'input': [...lines], 'output': [...], 'when': [...], 'script': [...], 'stub': [...]} and the process name."""
    m = re.search(r"^process\s+(\w+)\s*\{", text, re.M)
    if not m:
        raise ModuleError("no `process NAME {`")
    name = m.group(1)
    body = text[m.end():text.rstrip().rfind("}")]
    parts, current = {"head": []}, "head"
    in_string = False
    for line in body.split("\n"):
        label = re.match(r"^    (input|output|when|script|stub):\s*$", line)
        if label and not in_string:
            current = label.group(1)
            parts[current] = []
            continue
        parts[current].append(line)
        if line.count('"""') % 2 == 1:
            in_string = not in_string
    return name, parts


def declarations(lines):
    """The input or output declarations, one per line (comments and blank lines dropped)."""
    return [l.strip() for l in lines if l.strip() and not l.strip().startswith("//")]


def input_channels(lines):
    """[[(kind, name, stageAs or None), ...] per channel] of the `input:` block."""
    channels = []
    for decl in declarations(lines):
        items = []
        if decl.startswith("tuple "):
            for kind, inner in re.findall(r"\b(val|path)\(([^)]*)\)", decl):
                name, _, rest = inner.partition(",")
                stage = re.search(r"stageAs:\s*'([^']*)'", rest)
                items.append((kind, name.strip(), stage.group(1) if stage else None))
        else:
            m = re.match(r"^(val|path)\s+(\w+)$", decl)
            if not m:
                raise ModuleError("an input this reader does not know: " + decl)
            items.append((m.group(1), m.group(2), None))
        channels.append(items)
    return channels


def output_channels(lines):
    """[(emit, [path patterns as GString source], optional)] of the `output:` block."""
    out = []
    for decl in declarations(lines):
        emit = re.search(r"emit:\s*(\w+)", decl)
        if not emit:
            raise ModuleError("an output without emit: " + decl)
        patterns = re.findall(r'path\s*\(?\s*"([^"]*)"', decl)
        if not patterns:
            raise ModuleError("an output with no path: " + decl)
        out.append((emit.group(1), patterns, bool(re.search(r"optional:\s*true", decl))))
    return out


# ------------------------------------------------------------------------------------------ Groovy, the little used

def truthy(v):
    return v not in (None, "", [], 0, False)


def lookup(name, scope):
    parts = name.split(".")
    if parts[0] not in scope:
        raise ModuleError("unknown variable " + parts[0])
    v = scope[parts[0]]
    for p in parts[1:]:
        if not isinstance(v, dict):
            raise ModuleError("%s has no property %s" % (name, p))
        v = v.get(p)
    return v


def as_text(v):
    if v is None:
        return "null"
    if isinstance(v, list):
        return " ".join(as_text(x) for x in v)
    return str(v)


def gstring(src, scope):
    """A GString's text: ${expr} and $name.name interpolated, \\$ \\\\ \\" unescaped."""
    out, i = [], 0
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            out.append(src[i + 1] if src[i + 1] in '$\\"' else c + src[i + 1])
            i += 2
        elif c == "$" and src.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                if j >= len(src):
                    raise ModuleError("unclosed ${ in " + src)
                depth += {"{": 1, "}": -1}.get(src[j], 0)
                j += 1
            out.append(as_text(expression(src[i + 2:j - 1], scope)))
            i = j
        elif c == "$" and i + 1 < len(src) and (src[i + 1].isalpha() or src[i + 1] == "_"):
            m = re.match(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", src[i + 1:])
            out.append(as_text(lookup(m.group(0), scope)))
            i += 1 + m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*'|\"(?:[^\"\\]|\\.)*\")|(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
                   r"|(?P<op>\?:|\?|:))")


def expression(src, scope):
    tokens, pos = [], 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise ModuleError("Groovy this reader does not know: " + src)
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()

    def primary(k):
        kind, text = tokens[k]
        if kind == "str":
            return (text[1:-1] if text[0] == "'" else gstring(text[1:-1], scope)), k + 1
        if kind == "name":
            if text == "null":
                return None, k + 1
            return lookup(text, scope), k + 1
        raise ModuleError("unexpected %r in %s" % (text, src))

    def conditional(k):
        v, k = primary(k)
        if k < len(tokens) and tokens[k] == ("op", "?:"):
            w, k = conditional(k + 1)
            return (v if truthy(v) else w), k
        if k < len(tokens) and tokens[k] == ("op", "?"):
            a, k = conditional(k + 1)
            if k >= len(tokens) or tokens[k] != ("op", ":"):
                raise ModuleError("a ? without : in " + src)
            b, k = conditional(k + 1)
            return (a if truthy(v) else b), k
        return v, k

    value, k = conditional(0)
    if k != len(tokens):
        raise ModuleError("Groovy this reader does not know: " + src)
    return value


def block(lines, scope):
    """Runs a script: or stub: block's statements in `scope` and returns its shell text (as Nextflow: the
    triple-quoted GString, its common indentation stripped)."""
    text = "\n".join(lines)
    start = text.find('"""')
    end = text.rfind('"""')
    if start < 0 or end <= start:
        raise ModuleError('no """ shell text """ in the block')
    for line in text[:start].split("\n"):
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        m = re.match(r"^(?:def\s+)?([A-Za-z_]\w*)\s*=\s*(.+)$", s)
        if not m:
            raise ModuleError("a statement this reader does not know: " + s)
        scope[m.group(1)] = expression(m.group(2), scope)
    return textwrap.dedent(gstring(text[start + 3:end], scope)).strip("\n") + "\n"


# ------------------------------------------------------------------------------------------ one module

class Module:
    def __init__(self, path):
        self.path = path
        self.command = os.path.basename(os.path.dirname(path))
        self.text = open(path).read()
        self.name, parts = sections(self.text)
        for needed in ("input", "output", "when", "script", "stub"):
            if needed not in parts:
                raise ModuleError("%s: no %s: block" % (path, needed))
        self.parts = parts
        self.inputs = input_channels(parts["input"])
        self.outputs = output_channels(parts["output"])
        head = "\n".join(parts["head"])
        tag = re.search(r"^\s*tag\s+(.+)$", head, re.M)
        label = re.search(r"^\s*label\s+'([^']+)'", head, re.M)
        container = re.search(r'^\s*container\s+"([^"]+)"', head, re.M)
        self.tag = tag.group(1).strip() if tag else None
        self.label = label.group(1) if label else None
        self.container = container.group(1) if container else None

    def scope(self, values, cpus=2, args="", prefix=None):
        """The variables a task sees: the inputs (a staged path's name; a list's names joined by spaces; [] for an
        empty optional input), and task (cpus, process, ext.args, ext.prefix)."""
        scope = {"task": {"cpus": cpus, "process": self.name, "ext": {"args": args or None, "prefix": prefix}}}
        scope.update(values)
        return scope

    def script(self, scope):
        return block(self.parts["script"], scope)

    def stub(self, scope):
        return block(self.parts["stub"], scope)

    def output_patterns(self, scope):
        return [(emit, [gstring(p, scope) for p in patterns], optional) for emit, patterns, optional in self.outputs]


def modules(root):
    return [Module(p) for p in sorted(glob.glob(os.path.join(root, "modules", "sigstream", "*", "main.nf")))]
