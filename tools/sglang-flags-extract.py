"""Regenerates sglang-flags.tsv from SGLang source snapshots.

Not used at run time. Step 1, per snapshot (a directory holding python/sglang, e.g. from
`git archive <rev> python/sglang | tar -x -C <dir>`):
    python3 sglang-flags-extract.py dump <dir> <dir-parent>/<label>.json
builds SGLang's real server parser (ServerArgs.add_cli_args) with every import that is not
stdlib or sglang replaced by a stub, and dumps each argparse action's facts.
Step 2, once the six <label>.json files are in one directory:
    python3 sglang-flags-extract.py merge <that-directory> > sglang-flags.tsv
Written for sglang-preflight; uses CPython's argparse internals (parser._actions).
"""

import argparse
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub(cls.__qualname__ + "." + name)

    def __getitem__(cls, item):
        return cls

    def __iter__(cls):
        return iter(())

    def __len__(cls):
        return 0

    def __bool__(cls):
        return False

    def __int__(cls):
        return 0

    def __index__(cls):
        return 0

    def __float__(cls):
        return 0.0

    def __lt__(cls, o):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __contains__(cls, o):
        return False

    def __call__(cls, *a, **k):
        if cls.__dict__.get("_is_stub"):
            if len(a) == 1 and not k and callable(a[0]):
                return a[0]
            return _stub(cls.__qualname__ + "()")
        return type.__call__(cls, *a, **k)

    def __enter__(cls):
        return cls

    def __exit__(cls, *a):
        return False

    def __mro_entries__(cls, bases):
        return (cls,)


def _stub(qualname):
    c = _StubMeta(qualname.rsplit(".", 1)[-1], (), {"_is_stub": True})
    c.__qualname__ = qualname
    c.__module__ = "stub"
    return c


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name == "__version__":
            return "99.0.0"
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        s = _stub(self.__name__ + "." + name)
        setattr(self, name, s)
        return s


ROOT = None


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".")[0]
        if top == "sglang":
            parts = fullname.split(".")
            base = os.path.join(ROOT, "python", *parts)
            if os.path.isdir(base):
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
            if os.path.isfile(base + ".py"):
                spec = importlib.machinery.ModuleSpec(fullname, self, origin=base + ".py")
                return spec
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        # Not sglang: let the real finders try first.
        for f in sys.meta_path:
            if f is self:
                continue
            try:
                spec = f.find_spec(fullname, path, target)
            except Exception:
                spec = None
            if spec is not None:
                return None  # real module exists
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        m = StubModule(spec.name)
        if spec.submodule_search_locations is not None or spec.origin is None:
            m.__path__ = []
        return m

    def exec_module(self, module):
        origin = module.__spec__.origin
        if origin and origin.endswith(".py") and os.path.isfile(origin):
            module.__file__ = origin
            src = open(origin).read()
            try:
                exec(compile(src, origin, "exec"), module.__dict__)
            except BaseException as e:  # keep what got defined
                module.__dict__.setdefault("__stub_error__", repr(e))


def _const(a):
    v = getattr(a, "const_value", None)
    if v is None:
        v = a.const
    if v is None:
        return None
    if hasattr(v, "value") and not isinstance(v, (str, int, float, bool)):
        v = v.value
    elif hasattr(v, "value") and type(v).__module__ != "builtins":
        v = v.value
    return str(v)


def type_name(t):
    if t is None:
        return ""
    n = getattr(t, "__name__", None) or repr(t)
    return n

def dump_main(root, out_path):
    global ROOT
    ROOT = os.path.abspath(root)
    sys.meta_path.insert(0, Finder())
    sa = importlib.import_module("sglang.srt.server_args")
    if "__stub_error__" in sa.__dict__:
        print("server_args partial:", sa.__stub_error__, file=sys.stderr)
    parser = argparse.ArgumentParser()
    sa.ServerArgs.add_cli_args(parser)
    out = []
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        kind = type(a).__name__
        choices = a.choices
        if isinstance(choices, (set, frozenset)):
            choices = sorted(choices, key=str)  # a set has no stable order
        if choices is not None:
            try:
                choices = [str(c) for c in choices]
            except TypeError:
                choices = ["<unlistable>"]
        out.append(
            dict(
                options=list(a.option_strings),
                dest=a.dest,
                action=kind,
                nargs=a.nargs,
                type=type_name(a.type),
                choices=choices,
                required=bool(a.required),
                const=_const(a),
            )
        )
    json.dump(
        dict(allow_abbrev=parser.allow_abbrev, actions=out), open(out_path, "w"), indent=1
    )
    print(len(out), "actions", file=sys.stderr)



SNAPSHOTS = [
    ("v0.4.5.post3", "b9c87e781dd1e061090ce5e99eca2d6cc448b97f", "2025-04-21"),
    ("v0.4.6.post5", "7e257cd666c0d639626487987ea8e590da1e9395", ""),
    ("v0.4.7", "4f723edd3baf3823eddfb9d6426548daba17c687", ""),
    ("v0.4.9", "ec5f9c6269c18e88cd3141be56369cbd23cf4d64", ""),
    ("v0.5.1", "97a38ee85ba62e268bde6388f1bf8edfe2ca9d76", ""),
    ("main", "8761b971f1739e1753688a43eab31eb75b5d52d4", "2026-08-12"),
]
DEST_ALIASES = {
    "tensor_parallel_size": "tp_size",
    "data_parallel_size": "dp_size",
    "expert_parallel_size": "ep_size",
    "pipeline_parallel_size": "pp_size",
}
ACTIONS = {
    "_StoreAction": "store",
    "_StoreTrueAction": "store_true",
    "BooleanOptionalAction": "boolean_optional",
    "DeprecatedAction": "deprecated",
    "DeprecatedStoreTrueAction": "deprecated_store_true",
    "DeprecatedAliasStoreAction": "deprecated_alias",
    "DeprecatedStoreConstAction": "deprecated_store_const",
    "LoRAPathAction": "lora_paths",
}


def arity(a):
    n = a["nargs"]
    if n == 0:
        return "flag"
    if n is None:
        return "one"
    if n in ("?", "*", "+"):
        return n
    raise SystemExit("unexpected nargs %r for %r" % (n, a["options"]))


def merge_main(base):
    rows = {}
    order = []
    for label, _, _ in SNAPSHOTS:
        for a in json.load(open("%s/%s.json" % (base, label)))["actions"]:
            action = ACTIONS[a["action"]]
            if action == "deprecated" and label != "main":
                action = "refused"
            choices = a["choices"]
            const = a["const"]
            if action in ("store_true", "deprecated_store_true"):
                const = None
            key = (
                frozenset(a["options"]),
                DEST_ALIASES.get(a["dest"], a["dest"]),
                arity(a),
                action,
                a["type"] if action not in ("store_true", "boolean_optional", "deprecated",
                                             "deprecated_store_true", "deprecated_store_const") else "",
                None if choices is None else frozenset(choices),
                const,
                a["required"],
            )
            if key not in rows:
                rows[key] = dict(options=a["options"], choices=choices, snaps=[])
                order.append(key)
            else:
                # newest spelling order wins for display
                rows[key]["options"] = a["options"]
                rows[key]["choices"] = choices
            rows[key]["snaps"].append(label)
    out = sys.stdout
    out.write("# SGLang server flags: every option of SGLang's own server argparse parser\n")
    out.write("# (ServerArgs.add_cli_args on the parser that prepare_server_args builds), as facts:\n")
    out.write("# option strings, destination, arity, action kind, value type, choices. No help text.\n")
    out.write("# Extracted by building the real parser from each snapshot's source with heavy imports\n")
    out.write("# stubbed and reading parser._actions (CPython 3.11 argparse). The parser is\n")
    out.write("# argparse.ArgumentParser() with allow_abbrev left at its default (True) in every snapshot,\n")
    out.write("# so a unique prefix of a long option is accepted. argparse's own -h/--help is the first row.\n")
    out.write("# Source file: python/sglang/srt/server_args.py (main: plus arg_groups/arg_utils.py and\n")
    out.write("# arg_groups/argparse_actions.py, which it uses to derive options from the dataclass).\n")
    out.write("# Snapshots (column 'snapshots'):\n")
    for label, commit, _ in SNAPSHOTS:
        repo = "sgl-project/sglang (mirror empty-build/sglang)" if label != "main" else "sgl-project/sglang main (mirror alexnails/sglang)"
        out.write("#   %-13s %s %s\n" % (label, commit, repo))
    out.write("# Columns (tab-separated):\n")
    out.write("#   options      option strings, comma-separated, in the newest snapshot's order\n")
    out.write("#   dest         ServerArgs field the value lands in (tensor/data/expert/pipeline_parallel_size\n")
    out.write("#                are written as tp/dp/ep/pp_size: from_cli_args copies them there up to v0.5.1)\n")
    out.write("#   arity        flag (no value), one (exactly one value), ? (optional value), * (zero or more), + (one or more)\n")
    out.write("#   action       store, store_true, store_const-like (deprecated_store_const), boolean_optional (--x / --no-x),\n")
    out.write("#                refused (DeprecatedAction: raises ValueError when given, up to v0.5.1),\n")
    out.write("#                deprecated (DeprecatedAction on main: only warns), deprecated_store_true,\n")
    out.write("#                deprecated_alias (stores its value under dest), lora_paths (SGLang's own list action)\n")
    out.write("#   type         the argparse type callable's name (str, int, float, human_readable_int, nullable_str, ...); - for none\n")
    out.write("#   choices      |-separated in SGLang's order (sorted where SGLang uses a set), - when unrestricted\n")
    out.write("#   const        value stored by a const action or by a ? option given without a value; - when none\n")
    out.write("#   required     yes when argparse requires the option\n")
    out.write("#   snapshots    comma-separated snapshot labels where exactly this definition exists\n")
    out.write("options\tdest\tarity\taction\ttype\tchoices\tconst\trequired\tsnapshots\n")
    out.write("-h,--help\thelp\tflag\thelp\t-\t-\t-\tno\t%s\n" % ",".join(l for l, _, _ in SNAPSHOTS))
    for key in order:
        r = rows[key]
        _, dest, ar, action, typ, _, const, req = key
        out.write(
            "\t".join(
                [
                    ",".join(r["options"]),
                    dest,
                    ar,
                    action,
                    typ or "-",
                    "-" if r["choices"] is None else "|".join(r["choices"]),
                    "-" if const is None else (const if const != "" else "''"),
                    "yes" if req else "no",
                    ",".join(r["snaps"]),
                ]
            )
            + "\n"
        )



if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump_main(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "merge":
        merge_main(sys.argv[2])
    else:
        raise SystemExit("usage: sglang-flags-extract.py dump <root> <out.json> | merge <dir>")
