#!/usr/bin/env python3
"""Write a synthetic evgen.yaml with N events (2 versions each) and N/4 consumers, and the
equivalent AsyncAPI 3.0 document (payload schemas only), for generation-speed comparisons
(bench/generate.mjs runs evgen on the first and the AsyncAPI CLI on the second).
usage: synth-spec.py N OUTDIR"""
import sys, os, copy, json


def dump(v, ind=0):
    """A small block-YAML writer (no third-party module needed)."""
    pad = "  " * ind
    if isinstance(v, dict):
        out = []
        for k, x in v.items():
            key = json.dumps(str(k)) if not str(k).replace(".", "").replace("-", "").replace("?", "").replace("_", "").isalnum() else str(k)
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{key}:\n{dump(x, ind + 1)}")
            else:
                out.append(f"{pad}{key}: {scalar(x)}")
        return "\n".join(out)
    return "\n".join(f"{pad}- {scalar(x)}" if not isinstance(x, (dict, list)) else f"{pad}-\n{dump(x, ind + 1)}" for x in v)


def scalar(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, (dict, list)):
        return json.dumps(x)
    return x if x.replace(".", "").replace("-", "").replace("[", "").replace("]", "").replace(":", "").replace(" ", "").isalnum() and not x[0].isdigit() else json.dumps(x)
n = int(sys.argv[1]); out = sys.argv[2]; os.makedirs(out, exist_ok=True)
events, consumers = {}, {}
aa = {"asyncapi": "3.0.0", "info": {"title": "synth", "version": "1.0.0"},
      "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
      "channels": {}, "operations": {}, "components": {"messages": {}, "schemas": {}}}
for i in range(n):
    t = f"entity{i}.created"
    v1 = {"id": "uuid", "ownerId": "string", "total": {"type": "number", "minimum": 0},
          "note?": "string", "tags": "string[]", "lines": "Line[]"}
    v2 = copy.deepcopy(v1); v2["currency?"] = {"type": "string", "enum": ["EUR", "USD"]}
    events[t] = {"description": f"Entity {i} was created.", "key": "id", "versions": {1: v1, 2: v2}}
    name = f"Entity{i}Created"
    aa["components"]["schemas"][name] = {"type": "object", "required": ["id", "ownerId", "total", "tags", "lines"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "ownerId": {"type": "string"},
                       "total": {"type": "number", "minimum": 0}, "note": {"type": "string"},
                       "tags": {"type": "array", "items": {"type": "string"}},
                       "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}}},
                       "currency": {"type": "string", "enum": ["EUR", "USD"]}}}
    aa["components"]["messages"][name] = {"name": name, "payload": {"$ref": f"#/components/schemas/{name}"}}
    aa["channels"][t] = {"address": t, "messages": {name: {"$ref": f"#/components/messages/{name}"}}}
    aa["operations"]["send" + name] = {"action": "send", "channel": {"$ref": f"#/channels/{t}"}}
for j in range(max(1, n // 4)):
    on = [f"entity{i}.created" for i in range(j * 4, min(n, j * 4 + 4))]
    consumers[f"worker-{j}"] = {"on": on, "retry": {"attempts": 3, "delay": "1s"}}
spec = {"evgen": 1, "service": "synth", "broker": "kafka", "types": {"Line": {"sku": "string", "qty": "integer"}},
        "events": events, "consumers": consumers}
open(os.path.join(out, "evgen.yaml"), "w").write(dump(spec) + "\n")
open(os.path.join(out, "asyncapi.yaml"), "w").write(dump(aa) + "\n")
